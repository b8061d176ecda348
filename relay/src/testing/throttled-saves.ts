/**
 * Test support: the saves automerge-repo's throttle makes of one document, for a test to wait for
 * (or hold back) instead of sleeping past the throttle.
 */
import type { Doc } from "@automerge/automerge";
import type { DocHandle, DocumentId, Repo } from "@automerge/automerge-repo";

/** One save of the document that did not come from a flush: the throttle's. */
interface ThrottledSave {
  doc: Doc<unknown>;
  done: Promise<void>;
}

/**
 * Watches the throttled saves of one document.
 *
 * automerge-repo 2.5 saves a changed document `saveDebounceRate` after its last change, on a
 * timer, passing the document as that change left it (the `doc` of its last `heads-changed`), and
 * reports nothing once it has. This listens to the handle's `heads-changed` as the repo's save
 * listener does (so a `removeAllListeners("heads-changed")` detaches both), and wraps
 * `repo.storageSubsystem.saveDoc` to see the throttle's calls, and `repo.flush` to tell flushes
 * from them.
 *
 * Create it after anything else that wraps `saveDoc` (saveLiveDocumentsOnly, so IdleUnloader too),
 * so it sees the saves those skip, and before the timer can fire: in the same synchronous stretch
 * as the handle's last change at the latest.
 */
export class ThrottledSaves {
  readonly #documentId: DocumentId;
  /** What the throttle will save last: the document as the last change it heard of left it. */
  #owed: Doc<unknown>;
  readonly #saves: ThrottledSave[] = [];
  readonly #held: (() => void)[] = [];
  #holding: boolean;
  #flushing = 0;
  #onSave: (() => void) | undefined;

  /** With `hold`, the throttle's saves wait until {@link settled} (as on a very slow disk). */
  constructor(repo: Repo, handle: DocHandle<unknown>, options: { hold?: boolean } = {}) {
    this.#documentId = handle.documentId;
    this.#owed = handle.doc();
    this.#holding = options.hold === true;
    handle.on("heads-changed", ({ doc }) => {
      this.#owed = doc;
    });

    const storage = repo.storageSubsystem;
    if (storage === undefined) throw new Error("ThrottledSaves needs a repo with storage");
    const saveDoc = storage.saveDoc.bind(storage);
    storage.saveDoc = (documentId, doc) => {
      if (documentId !== this.#documentId || this.#flushing > 0) return saveDoc(documentId, doc);
      const done = this.#holding
        ? new Promise<void>((release) => this.#held.push(release)).then(() =>
            saveDoc(documentId, doc),
          )
        : saveDoc(documentId, doc);
      this.#saves.push({ doc, done });
      this.#onSave?.();
      return done;
    };
    // Repo.flush calls saveDoc before its first await, so the count covers exactly its calls;
    // Repo.shutdown flushes through this property too.
    const flush = repo.flush.bind(repo);
    repo.flush = (documents) => {
      this.#flushing += 1;
      try {
        return flush(documents);
      } finally {
        this.#flushing -= 1;
      }
    };
  }

  /**
   * Resolves once the throttle has saved the document as the last change it heard of left it,
   * and every save of it the throttle started has finished. Held saves are let through once that
   * last one has been asked for. Rejects if it is not asked for within `timeoutMs`.
   */
  async settled(timeoutMs = 10_000): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#onSave = undefined;
        reject(new Error(`automerge-repo did not save ${this.#documentId} within ${timeoutMs} ms`));
      }, timeoutMs);
      const check = () => {
        if (!this.#saves.some(({ doc }) => doc === this.#owed)) return;
        clearTimeout(timer);
        this.#onSave = undefined;
        resolve();
      };
      this.#onSave = check;
      check();
    });
    this.#holding = false;
    for (const release of this.#held.splice(0)) release();
    await Promise.allSettled(this.#saves.map(({ done }) => done));
  }
}
