import { type Accessor, createSignal, onCleanup } from "solid-js";

/** The current time, updated every `everyMs`: for "3 min ago" labels that age on their own. */
export function createNow(everyMs: number): Accessor<number> {
  const [now, setNow] = createSignal(Date.now());
  const timer = setInterval(() => setNow(Date.now()), everyMs);
  onCleanup(() => clearInterval(timer));
  return now;
}
