import type { DocHandle, DocHandleChangePayload } from "@automerge/automerge-repo/slim";
import { isJsonSpec, plainSpec, toPlain } from "@outpost/shared-model";
import { onCleanup } from "solid-js";
import { createStore, produce, reconcile, type Store, unwrap } from "solid-js/store";
import { makeLogger } from "../ui/logger.js";
import { applyPatch, PatchPathError } from "./apply-patch.js";

const log = makeLogger("documents");

/**
 * A fine-grained Solid store of `handle`'s document, kept current by applying the change
 * patches Automerge reports (no polling, no diff of the whole document). The store holds its own
 * plain copy, never Automerge's objects, which must not be mutated. Listeners go with the owner.
 * If a patch ever does not fit (it should not), the store is rebuilt from the document.
 */
export function createDocumentStore<T extends object>(handle: DocHandle<T>): Store<T> {
  const [store, setStore] = createStore<T>(plainCopy(handle.doc()));
  const onChange = ({ patches }: DocHandleChangePayload<T>) => {
    try {
      setStore(
        produce((draft) => {
          for (const patch of patches) applyPatch(draft as Record<string, unknown>, patch);
        }),
      );
    } catch (error) {
      if (!(error instanceof PatchPathError)) throw error;
      log.warn(`rebuilt the view of ${handle.documentId}: ${error.message}`);
      setStore(reconcile(plainCopy(handle.doc())));
    }
  };
  handle.on("change", onChange);
  onCleanup(() => handle.off("change", onChange));
  return store;
}

/**
 * A plain copy of a document: commands store their strings as `ImmutableString`s, which the
 * store (and every view and export over it) holds as strings, and their specs as JSON, which it
 * holds parsed (as `applyPatch` does).
 */
function plainCopy<T>(doc: T): T {
  const copy = structuredClone(toPlain<T>(doc));
  const commands: unknown = (copy as { commands?: unknown }).commands;
  if (typeof commands === "object" && commands !== null) {
    for (const entry of Object.values(commands)) {
      if (typeof entry === "object" && entry !== null && "spec" in entry && isJsonSpec(entry.spec))
        entry.spec = plainSpec(entry.spec);
    }
  }
  return copy;
}

/** The store's current value as a plain object (for exports and comparisons). */
export function snapshotOf<T extends object>(store: Store<T>): T {
  return structuredClone(unwrap(store));
}
