import { onCleanup, onMount } from "solid-js";

/**
 * Calls `close` when Escape is pressed while the owner (a modal dialog) is mounted, unless
 * `blocked()` says an action is running. Listens on the document, as a modal has the page's
 * focus wherever inside it the admin is.
 */
export function createEscapeKey(close: () => void, blocked: () => boolean = () => false): void {
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === "Escape" && !blocked()) close();
  };
  onMount(() => document.addEventListener("keydown", onKeyDown));
  onCleanup(() => document.removeEventListener("keydown", onKeyDown));
}
