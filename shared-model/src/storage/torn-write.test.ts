/**
 * What a torn chunk does to a document, with a writer that is not crash-safe (automerge-repo's
 * stock NodeFS adapter writes chunks in place) and with CrashSafeFileStorageAdapter.
 *
 * Scenario: a Repo creates a document, flushes it (a snapshot), then flushes five more changes
 * (five incremental chunks, since the snapshot is larger than 1 KiB). Then the write of the next
 * incremental chunk is torn: a crash in the middle of an in-place write leaves it cut short, or a
 * power loss leaves it at full length with its tail never written (zeros), or the disk flips a
 * bit. A fresh Repo then loads the document from the same directory.
 */
import { createHash } from "node:crypto";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import * as Automerge from "@automerge/automerge";
import {
  type AutomergeUrl,
  type DocumentId,
  Repo,
  type StorageAdapterInterface,
  type StorageKey,
} from "@automerge/automerge-repo";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { encodeChunkFile } from "./chunk-file-format.js";
import { CrashSafeFileStorageAdapter } from "./crash-safe-file-storage-adapter.js";
import { chunkFilePath } from "./key-paths.js";
import { ERROR_LEVEL, makeRecordingLogger, makeTempDirectory } from "./testdata/helpers.js";
import { NaiveInPlaceAdapter } from "./testdata/naive-in-place-adapter.js";

interface ListDoc {
  notes: string;
  values: number[];
}

const FLUSHED_VALUES = [1, 2, 3, 4, 5];
// Hard-to-compress text, so the snapshot stays above automerge-repo's 1 KiB compaction threshold
// and the following flushes are saved as incremental chunks.
const NOTES = Array.from({ length: 48 }, (_, i) =>
  sha256Hex(new TextEncoder().encode(`${i}`)),
).join("");

const tears = {
  "cut short": (bytes: Uint8Array) => bytes.slice(0, Math.floor(bytes.length / 2)),
  "zero-filled tail": (bytes: Uint8Array) => {
    const torn = Uint8Array.from(bytes);
    torn.fill(0, Math.floor(bytes.length / 2));
    return torn;
  },
  "one flipped bit": (bytes: Uint8Array) => {
    const torn = Uint8Array.from(bytes);
    torn[torn.length - 5] = (torn[torn.length - 5] ?? 0) ^ 0x10;
    return torn;
  },
};
type Tear = keyof typeof tears;

let directory: { path: string; remove: () => Promise<void> };
beforeEach(async () => {
  directory = await makeTempDirectory();
});
afterEach(() => directory.remove());

describe("a torn incremental chunk", () => {
  for (const [tear, damage] of Object.entries(tears) as [
    Tear,
    (bytes: Uint8Array) => Uint8Array,
  ][]) {
    it(`${tear}: a naive in-place reader silently loses every flushed incremental change`, async () => {
      const storage = new NaiveInPlaceAdapter(directory.path);
      const written = await writeDocument(storage);
      const next = nextIncrementalChunk(written.doc, written.documentId);
      const tornPath = storage.filePath(next.key);
      await mkdir(dirname(tornPath), { recursive: true });
      await writeFile(tornPath, damage(next.bytes));

      const loaded = await loadDocument(new NaiveInPlaceAdapter(directory.path), written.url);

      // Automerge's loadIncremental stops at the first chunk it cannot parse or whose checksum
      // fails and quietly drops the rest of the input: all five flushed incremental chunks are
      // lost, not just the torn one, and nothing reports it. (Were the torn chunk the first
      // snapshot, find() would reject instead: "unable to parse chunk".)
      expect(loaded).toStrictEqual({ kind: "loaded", notes: NOTES, values: [] });
    });

    it(`${tear}: CrashSafeFileStorageAdapter quarantines it and keeps every flushed change`, async () => {
      const written = await writeDocument(await CrashSafeFileStorageAdapter.create(directory.path));
      const next = nextIncrementalChunk(written.doc, written.documentId);
      // What a non-atomic writer or a failing disk would leave under the final name; the adapter
      // itself only ever renames complete, fsynced files into place.
      const tornPath = chunkFilePath(directory.path, next.key);
      await writeFile(tornPath, damage(encodeChunkFile(next.bytes, BigInt(Date.now()) * 1000n)));

      const { logger, records } = makeRecordingLogger();
      const storage = await CrashSafeFileStorageAdapter.create(directory.path, { logger });
      const loaded = await loadDocument(storage, written.url);

      expect(loaded).toStrictEqual({ kind: "loaded", notes: NOTES, values: FLUSHED_VALUES });
      const errors = records.filter((record) => record.level === ERROR_LEVEL);
      expect(errors.map((record) => record.filePath)).toStrictEqual([tornPath]);
      expect(errors[0]?.msg).toContain(`torn chunk file ${tornPath}`);
      expect(await readdir(join(directory.path, "quarantine"))).toHaveLength(1);
      expect(await storage.loadRange([written.documentId, "incremental"])).toHaveLength(5);
    });
  }
});

/** Creates the document and flushes it once, then once per value: one snapshot, five increments. */
async function writeDocument(storage: StorageAdapterInterface) {
  const repo = new Repo({ network: [], storage });
  const handle = repo.create<ListDoc>({ notes: NOTES, values: [] });
  await repo.flush();
  for (const value of FLUSHED_VALUES) {
    handle.change((doc) => {
      doc.values.push(value);
    });
    await repo.flush();
  }
  const doc = handle.doc();
  await repo.shutdown();
  // The layout the scenario relies on, as automerge-repo's StorageSubsystem wrote it.
  expect(await storage.loadRange([handle.documentId, "snapshot"])).toHaveLength(1);
  expect(await storage.loadRange([handle.documentId, "incremental"])).toHaveLength(5);
  return { url: handle.url, documentId: handle.documentId, doc };
}

/** The chunk and key automerge-repo would save next: the change pushing 6, keyed by SHA-256. */
function nextIncrementalChunk(doc: Automerge.Doc<ListDoc>, documentId: DocumentId) {
  const next = Automerge.change(Automerge.clone(doc), (draft) => {
    draft.values.push(6);
  });
  const bytes = Automerge.saveSince(next, Automerge.getHeads(doc));
  const key: StorageKey = [documentId, "incremental", sha256Hex(bytes)];
  return { key, bytes };
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

type LoadOutcome =
  | { kind: "loaded"; notes: string; values: number[] }
  | { kind: "failed"; error: string };

async function loadDocument(
  storage: StorageAdapterInterface,
  url: AutomergeUrl,
): Promise<LoadOutcome> {
  const repo = new Repo({ network: [], storage });
  try {
    const doc = (await repo.find<ListDoc>(url)).doc();
    await repo.shutdown();
    return { kind: "loaded", notes: doc.notes, values: [...doc.values] };
  } catch (error) {
    return { kind: "failed", error: String(error) };
  }
}
