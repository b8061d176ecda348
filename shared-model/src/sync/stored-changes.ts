import * as A from "@automerge/automerge";

/**
 * True when every change in `changes` (hex hashes) is in the history of `heads` (hex hashes) in
 * `doc`: the state the relay stored at `heads` includes them. `false` when `doc` lacks one of
 * `heads` (the relay holds something not synced here yet) or one of `changes`.
 */
export function headsIncludeChanges(
  doc: A.Doc<unknown>,
  heads: readonly string[],
  changes: readonly string[],
): boolean {
  if (A.getMissingDeps(doc, [...heads]).length > 0) return false;
  if (changes.some((hash) => A.inspectChange(doc, hash) === null)) return false;
  const after = new Set(A.getChangesMetaSince(doc, [...heads]).map((change) => change.hash));
  return changes.every((hash) => !after.has(hash));
}
