import type { DocumentId } from "@automerge/automerge-repo/slim";
import { type Accessor, createSignal, onCleanup } from "solid-js";
import type { PendingChanges } from "../sync/pending-changes.js";

/** The documents with this admin's changes the relay has not stored, as a signal. */
export function createPending(pending: PendingChanges): Accessor<readonly DocumentId[]> {
  const [ids, setIds] = createSignal<readonly DocumentId[]>(pending.documentIds());
  onCleanup(pending.onChange(() => setIds(pending.documentIds())));
  return ids;
}

/** How many local changes are still being written to this browser's storage. */
export function createSaving(replica: {
  savingCount(): number;
  onSaving(listener: () => void): () => void;
}): Accessor<number> {
  const [count, setCount] = createSignal(replica.savingCount());
  onCleanup(replica.onSaving(() => setCount(replica.savingCount())));
  return count;
}
