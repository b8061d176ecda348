import { createSignal, type JSX } from "solid-js";

/**
 * Copies `text` to the clipboard and says whether it did. Where the browser refuses (no
 * clipboard outside a secure context, permission denied), it says to select and copy by hand:
 * the text is always shown beside it.
 */
export function CopyButton(props: { text: string; label: string }): JSX.Element {
  const [outcome, setOutcome] = createSignal<"copied" | "failed">();
  const copy = async () => {
    try {
      if (navigator.clipboard === undefined) throw new Error("no clipboard here");
      await navigator.clipboard.writeText(props.text);
      setOutcome("copied");
    } catch {
      setOutcome("failed");
    }
  };
  return (
    <span class="copy">
      <button type="button" class="secondary small" aria-label={props.label} onClick={copy}>
        Copy
      </button>
      <span role="status" class={outcome() === "failed" ? "error" : "done"}>
        {outcome() === "copied"
          ? "Copied"
          : outcome() === "failed"
            ? "Cannot copy here: select the text and copy it"
            : ""}
      </span>
    </span>
  );
}
