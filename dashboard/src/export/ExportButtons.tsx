import { messageOf } from "@outpost/shared-model";
import { createSignal, type JSX, Show } from "solid-js";
import { download, type TableExport, toCsvBlob, toJsonBlob } from "./table-export.js";

/**
 * "CSV" and "JSON" buttons for one snapshot, with a progress bar while a large export is being
 * built (it is built in chunks, so the page stays responsive).
 */
export function ExportButtons(props: {
  label: string;
  fileName: string;
  /** The snapshot to export; may first load what it needs (archived commands). */
  source: () => TableExport | Promise<TableExport>;
}): JSX.Element {
  const [progress, setProgress] = createSignal<{ done: number; total: number }>();
  const [error, setError] = createSignal<string>();
  const run = async (format: "csv" | "json") => {
    setError(undefined);
    try {
      const source = await props.source();
      const options = { onProgress: (done: number, total: number) => setProgress({ done, total }) };
      const blob =
        format === "csv" ? await toCsvBlob(source, options) : await toJsonBlob(source, options);
      download(blob, `${props.fileName}.${format}`);
    } catch (failure) {
      setError(`export failed: ${messageOf(failure)}`);
    } finally {
      setProgress(undefined);
    }
  };
  return (
    <fieldset class="export">
      <legend class="visually-hidden">Export {props.label}</legend>
      <button
        type="button"
        class="secondary"
        disabled={progress() !== undefined}
        onClick={() => void run("csv")}
      >
        Export {props.label} CSV
      </button>
      <button
        type="button"
        class="secondary"
        disabled={progress() !== undefined}
        onClick={() => void run("json")}
      >
        JSON
      </button>
      <Show when={progress()}>
        {(current) => (
          <progress
            max={Math.max(1, current().total)}
            value={current().done}
            aria-label={`Exporting ${props.label}: ${current().done} of ${current().total} rows`}
          />
        )}
      </Show>
      <Show when={error()}>
        <span class="error" role="alert">
          {error()}
        </span>
      </Show>
    </fieldset>
  );
}
