/**
 * Automerge's per-document state, under its registered `_am_meta` symbol (automerge 3.5,
 * `internal_state.ts`). Not public API: {@link forgetLoadPatches} checks what it finds.
 */
const STATE = Symbol.for("_am_meta");

/**
 * Lets go of the patch list a document keeps from how it was loaded.
 *
 * Automerge keeps the patches of a document's last update in its internal state
 * (`mostRecentPatch`, so that `diff` over the same heads is free) until the next change or merge.
 * automerge-repo loads a stored document with `loadIncremental` into an empty one, so those
 * patches describe the whole document: measured on bench/queue's DeviceDoc (10,000 commands,
 * strings as scalars) 38 MB of JS heap, kept for as long as the document does not change, which
 * for an idle agent is indefinitely, and which every garbage collection walks. automerge-repo
 * has used them already (its `change` event); a later `diff` computes them again if asked.
 *
 * Returns whether there was such a list (false when Automerge no longer keeps one there).
 */
export function forgetLoadPatches(doc: object): boolean {
  const state: unknown = Reflect.get(doc, STATE);
  if (typeof state !== "object" || state === null || !("mostRecentPatch" in state)) return false;
  delete (state as { mostRecentPatch?: unknown }).mostRecentPatch;
  return true;
}
