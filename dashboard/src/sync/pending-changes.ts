import type { DocHandle, DocumentId } from "@automerge/automerge-repo/slim";
import { decodeHeads } from "@automerge/automerge-repo/slim";
import { headsIncludeChanges } from "@outpost/shared-model";
import { makeLogger } from "../ui/logger.js";

const log = makeLogger("sync");

/** A document this admin changed locally, and its heads right after the change. */
interface PendingEntry {
  /** automerge-repo's encoded heads (base58). */
  heads: string[];
  at: number;
}

/**
 * Which documents hold changes of this admin that the relay has not yet stored on its disk. An
 * entry is made by every local change and removed when the relay's durable acknowledgement
 * (`outpost/stored-heads`) covers it. Kept in localStorage: an edit made offline is still "only
 * here" after a reload, and signing out warns before it is lost.
 */
export class PendingChanges {
  readonly #key: string;
  readonly #storage: Storage;
  readonly #entries: Record<DocumentId, PendingEntry>;
  readonly #listeners = new Set<() => void>();

  constructor(key: string, storage: Storage = localStorage) {
    this.#key = key;
    this.#storage = storage;
    this.#entries = readEntries(storage.getItem(key));
  }

  /** Notes that `handle` was just changed here. */
  record(handle: DocHandle<unknown>): void {
    this.#entries[handle.documentId] = { heads: [...handle.heads()], at: Date.now() };
    this.#save();
  }

  /**
   * The relay says it stored `storedHeads` (encoded) of `handle`'s document: an entry they cover
   * is removed. Heads of changes not synced here yet cannot be checked; the next ack will do.
   */
  acknowledge(handle: DocHandle<unknown>, storedHeads: readonly string[]): void {
    const entry = this.#entries[handle.documentId];
    if (entry === undefined || !handle.isReady()) return;
    const stored = decodeHeads(storedHeads as Parameters<typeof decodeHeads>[0]);
    const ours = decodeHeads(entry.heads as Parameters<typeof decodeHeads>[0]);
    if (!headsIncludeChanges(handle.doc(), stored, ours)) return;
    delete this.#entries[handle.documentId];
    this.#save();
  }

  /** True when `documentId` holds changes the relay has not stored. */
  has(documentId: DocumentId): boolean {
    return Object.hasOwn(this.#entries, documentId);
  }

  /** The documents with unstored changes. */
  documentIds(): DocumentId[] {
    return Object.keys(this.#entries) as DocumentId[];
  }

  /** Calls `listener` after every change to the set; returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Forgets everything (sign-out). */
  clear(): void {
    for (const id of Object.keys(this.#entries)) delete this.#entries[id as DocumentId];
    this.#storage.removeItem(this.#key);
    this.#notify();
  }

  #save(): void {
    this.#storage.setItem(this.#key, JSON.stringify(this.#entries));
    this.#notify();
  }

  #notify(): void {
    for (const listener of this.#listeners) listener();
  }
}

function readEntries(text: string | null): Record<DocumentId, PendingEntry> {
  if (text === null) return {};
  try {
    const parsed = JSON.parse(text) as Record<string, Partial<PendingEntry> | null>;
    const entries: Record<DocumentId, PendingEntry> = {};
    for (const [id, entry] of Object.entries(parsed)) {
      // One damaged entry costs only itself.
      if (typeof entry !== "object" || entry === null) continue;
      if (Array.isArray(entry.heads) && typeof entry.at === "number") {
        entries[id as DocumentId] = { heads: entry.heads.map(String), at: entry.at };
      }
    }
    return entries;
  } catch {
    log.warn("ignored a damaged list of unsynced changes; they sync all the same");
    return {};
  }
}
