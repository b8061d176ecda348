import type { Doc } from "@automerge/automerge";
import type { DocumentId, Repo } from "@automerge/automerge-repo";

const guarded = new WeakSet<object>();

/**
 * Makes `repo` write a document only in the state its live handle holds now.
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
 * objects, not heads, also never reads a stale document, which IdleUnloader may have freed.
 * Calling it again on the same repo changes nothing.
 */
export function saveLiveDocumentsOnly(repo: Repo): void {
  const storage = repo.storageSubsystem;
  if (storage === undefined || guarded.has(storage)) return;
  guarded.add(storage);
  const save = storage.saveDoc.bind(storage);
  storage.saveDoc = async (documentId: DocumentId, doc: Doc<unknown>): Promise<void> => {
    const handle = repo.handles[documentId];
    if (handle === undefined || !handle.isReady() || handle.doc() !== doc) return;
    await save(documentId, doc);
  };
}
