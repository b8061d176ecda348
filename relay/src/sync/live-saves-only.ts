import type { Doc } from "@automerge/automerge";
import type { DocumentId, Repo } from "@automerge/automerge-repo";

/** What {@link saveLiveDocumentsOnly} gives back: a way to wait for a document's saves. */
export interface LiveSaves {
  /** Resolves once no save of `documentId` is under way. */
  whenSaved(documentId: DocumentId): Promise<void>;
}

const installed = new WeakMap<object, LiveSaves>();

/**
 * Makes `repo` write a document only in the state its live handle holds now, and keeps count of
 * the saves under way.
 *
 * automerge-repo 2.5 saves a changed document on a throttle, passing the document as it was at
 * the change; unloading a document does not cancel a save already scheduled. When the document is
 * loaded again, changed and stored before that save fires, the old save writes the old state as a
 * new snapshot and deletes the chunks it believes it replaces, the newer ones among them: data the
 * relay had acknowledged as stored is gone (idle-unloader.test.ts reproduces it). The relay stores
 * documents itself, always from the live handle (durable acks, unloading, stopping), so a save of
 * any other state is stale and skipped. The empty stand-in an unloaded handle holds is skipped
 * the same way.
 *
 * Live means the very object the handle holds: every change gives the handle a new document
 * object and schedules a save of it, so an older object is superseded by a later save. Comparing
 * objects, not heads, never reads a stale document, which IdleUnloader may have freed. A save
 * still reads its document after writing (automerge-repo records the saved heads), so a document
 * is freed only once {@link LiveSaves.whenSaved}. Calling this again on the same repo returns the
 * same tracker.
 */
export function saveLiveDocumentsOnly(repo: Repo): LiveSaves {
  const storage = repo.storageSubsystem;
  if (storage === undefined) return { whenSaved: () => Promise.resolve() };
  const existing = installed.get(storage);
  if (existing !== undefined) return existing;

  const underWay = new Map<DocumentId, Set<Promise<void>>>();
  const save = storage.saveDoc.bind(storage);
  storage.saveDoc = (documentId: DocumentId, doc: Doc<unknown>): Promise<void> => {
    const handle = repo.handles[documentId];
    if (handle === undefined || !handle.isReady() || handle.doc() !== doc) return Promise.resolve();
    const saving = save(documentId, doc);
    let saves = underWay.get(documentId);
    if (saves === undefined) {
      saves = new Set();
      underWay.set(documentId, saves);
    }
    saves.add(saving);
    const done = () => {
      saves.delete(saving);
      if (saves.size === 0 && underWay.get(documentId) === saves) underWay.delete(documentId);
    };
    saving.then(done, done);
    return saving;
  };
  const tracker: LiveSaves = {
    async whenSaved(documentId) {
      for (let saves = underWay.get(documentId); saves; saves = underWay.get(documentId)) {
        await Promise.allSettled([...saves]);
      }
    },
  };
  installed.set(storage, tracker);
  return tracker;
}
