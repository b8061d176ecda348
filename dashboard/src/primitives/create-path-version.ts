import type { Prop } from "@automerge/automerge/slim";
import type { DocHandle, DocHandleChangePayload } from "@automerge/automerge-repo/slim";
import { type Accessor, createSignal, onCleanup } from "solid-js";

/**
 * A counter that goes up whenever a change patches at or under `path` in `handle`'s document:
 * for what the document store cannot show, such as conflicts. When a concurrent value loses to
 * the shown one, Automerge reports only a conflict, which changes no value in the store.
 */
export function createPathVersion(
  handle: DocHandle<unknown>,
  path: Accessor<readonly Prop[]>,
): Accessor<number> {
  const [version, setVersion] = createSignal(0);
  const onChange = ({ patches }: DocHandleChangePayload<unknown>) => {
    const prefix = path();
    const touched = patches.some((patch) => prefix.every((step, i) => patch.path[i] === step));
    if (touched) setVersion((n) => n + 1);
  };
  handle.on("change", onChange);
  onCleanup(() => handle.off("change", onChange));
  return version;
}
