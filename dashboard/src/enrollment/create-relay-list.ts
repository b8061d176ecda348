import { messageOf } from "@outpost/shared-model";
import { type Accessor, createEffect, createSignal, on } from "solid-js";

/** A list the page asks the relay for, as the page shows it. */
export interface RelayList<T> {
  /** The last list the relay gave; kept while a later ask fails, so it stays readable offline. */
  items: Accessor<readonly T[] | undefined>;
  /** Why the last ask failed; `undefined` once one succeeds. */
  problem: Accessor<string | undefined>;
}

/**
 * Asks `load` for a list whenever `trigger` changes (the page bumps it after an action, on its
 * timer, and when the relay comes back) and keeps the answer. A failed ask never throws where the
 * list is read: it is a problem beside the last good list. An answer that comes after a newer
 * ask's is dropped.
 */
export function createRelayList<T>(
  load: () => Promise<readonly T[]>,
  trigger: Accessor<unknown>,
): RelayList<T> {
  const [items, setItems] = createSignal<readonly T[]>();
  const [problem, setProblem] = createSignal<string>();
  let latest = 0;
  createEffect(
    on(trigger, () => {
      const asked = ++latest;
      load().then(
        (list) => {
          if (asked !== latest) return;
          setItems(list);
          setProblem(undefined);
        },
        (failure: unknown) => {
          if (asked === latest) setProblem(messageOf(failure));
        },
      );
    }),
  );
  return { items, problem };
}
