import { next as A } from "@automerge/automerge";
import type { CrashRecords } from "../state/crash-records.js";

/** True for a failure of Automerge's WebAssembly module rather than of the input it was given. */
export function isAutomergeFailure(error: unknown): boolean {
  return (
    error instanceof WebAssembly.RuntimeError ||
    (error instanceof Error && /^Module terminated|rust_oom|out of memory/i.test(error.message))
  );
}

/**
 * Which documents the relay is doing Automerge work on right now: the one whose message is being
 * applied (automerge-repo applies a received message synchronously) and the ones being loaded
 * from disk. When Automerge fails under it, those are recorded as the crash's suspects before the
 * failure goes on to end the process (see CrashRecords).
 */
export class AutomergeWork {
  readonly #records: CrashRecords;
  readonly #loading = new Set<string>();
  readonly #trapOn: string | undefined;
  #applying: string | undefined;
  #recorded = false;

  /** `trapOnDocumentId` is for tests only: work on that document fails as an Automerge trap. */
  constructor(records: CrashRecords, trapOnDocumentId?: string) {
    this.#records = records;
    this.#trapOn = trapOnDocumentId;
  }

  /** Runs `apply`, the synchronous handling of a message about `documentId`. */
  applying<T>(documentId: string, apply: () => T): T {
    this.#applying = documentId;
    try {
      if (documentId === this.#trapOn) throw new WebAssembly.RuntimeError("unreachable (injected)");
      return apply();
    } catch (error) {
      if (isAutomergeFailure(error)) this.recordCrash(error);
      throw error;
    } finally {
      this.#applying = undefined;
    }
  }

  /**
   * Marks `documentId` as loading from the moment its chunks are read until the next turn of the
   * event loop: automerge-repo decodes them in the continuation of the read.
   */
  loaded(documentId: string): void {
    this.#loading.add(documentId);
    setImmediate(() => this.#loading.delete(documentId));
  }

  /** Records the current suspects for `error`; the caller lets the process end. */
  recordCrash(error: unknown): void {
    // Once per process: the failure is seen where it happened and again by the process handler.
    if (this.#recorded) return;
    this.#recorded = true;
    const documents = [...this.#loading, ...(this.#applying === undefined ? [] : [this.#applying])];
    const reason = error instanceof Error ? error.message : String(error);
    try {
      this.#records.record(reason, documents);
    } catch {
      // Failing to record must not hide the failure itself.
    }
  }
}

/**
 * After a trap, every Automerge call throws "Module terminated", and automerge-repo catches some of
 * those itself: the relay would keep answering `/healthz` while syncing nothing. This probe makes
 * a tiny document every `intervalMs`; when that fails, the failure is recorded and thrown out of
 * the timer, so the process ends and its supervisor restarts it. Returns a stop function.
 */
export function startAutomergeProbe(work: AutomergeWork, intervalMs: number): () => void {
  const timer = setInterval(() => {
    try {
      A.free(A.init());
    } catch (error) {
      clearInterval(timer);
      work.recordCrash(error);
      throw error;
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
