import type { Doc } from "@automerge/automerge";
import { getHeads } from "@automerge/automerge";
import type { DocumentId, Repo } from "@automerge/automerge-repo";

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
 */
export function saveLiveDocumentsOnly(repo: Repo): void {
  const storage = repo.storageSubsystem;
  if (storage === undefined) return;
  const save = storage.saveDoc.bind(storage);
  storage.saveDoc = async (documentId: DocumentId, doc: Doc<unknown>): Promise<void> => {
    const handle = repo.handles[documentId];
    if (handle === undefined || !handle.isReady()) return;
    const live = getHeads(handle.doc() as Doc<unknown>);
    const saving = getHeads(doc);
    if (live.length !== saving.length || live.some((head, index) => head !== saving[index])) return;
    await save(documentId, doc);
  };
}
