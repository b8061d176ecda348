import { createHash } from "node:crypto";
import * as A from "@automerge/automerge";
import type { DocumentId, StorageAdapterInterface, StorageKey } from "@automerge/automerge-repo";

/**
 * Replaces everything stored for a document with one snapshot, `A.save(doc)`.
 *
 * automerge-repo 2.5's StorageSubsystem compacts on its own only when a save finds the
 * incremental chunks at least as large as the snapshot, so what is on disk at the end of a day
 * depends on timing. This does what its `#saveTotal` does, deterministically: save the snapshot
 * under `[documentId, "snapshot", hash of heads]` first, then remove every other chunk, so a crash
 * in between leaves duplicates (harmless on load) rather than a gap.
 *
 * @returns the snapshot's size in bytes, before any framing the adapter adds.
 */
export async function compactToSnapshot<T>(
  storage: StorageAdapterInterface,
  documentId: DocumentId,
  doc: A.Doc<T>,
): Promise<number> {
  const snapshot = A.save(doc);
  const heads = [...A.getHeads(doc)].sort().join(",");
  const key: StorageKey = [
    documentId,
    "snapshot",
    createHash("sha256").update(heads).digest("hex"),
  ];
  const existing = [
    ...(await storage.loadRange([documentId, "snapshot"])),
    ...(await storage.loadRange([documentId, "incremental"])),
  ];
  await storage.save(key, snapshot);
  for (const chunk of existing) {
    if (chunk.key.join("/") !== key.join("/")) await storage.remove(chunk.key);
  }
  return snapshot.length;
}
