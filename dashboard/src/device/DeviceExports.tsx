import type { DocHandle } from "@automerge/automerge-repo/slim";
import type { DeviceDoc } from "@outpost/shared-model";
import { createSignal, type JSX, Show } from "solid-js";
import { commandsExport } from "../export/commands-export.js";
import { ExportButtons } from "../export/ExportButtons.js";
import type { CommandArchive } from "../primitives/find-archive.js";

/**
 * Downloads of this device's records (its telemetry and audit have their own, by range). The
 * device ID is the fleet's, never the document's own `deviceId` field, which the device writes.
 * Archived commands are included on request: each month's archive is a document to load.
 */
export function DeviceExports(props: {
  deviceId: string;
  handle: DocHandle<DeviceDoc>;
  /** The device's archive index, from the page's store (reactive). */
  archives: () => NonNullable<DeviceDoc["commandArchives"]>;
  findArchive: (month: string, url: string) => Promise<CommandArchive>;
}): JSX.Element {
  const [withArchived, setWithArchived] = createSignal(false);
  const [skipped, setSkipped] = createSignal<string[]>([]);
  const months = () => Object.entries(props.archives());
  const source = async () => {
    const doc = props.handle.doc();
    if (!withArchived()) return commandsExport(props.deviceId, doc);
    const loaded = await Promise.allSettled(
      months().map(([month, entry]) => props.findArchive(month, entry.url)),
    );
    const archives: CommandArchive[] = [];
    const missed: string[] = [];
    loaded.forEach((result, index) => {
      if (result.status === "fulfilled") archives.push(result.value);
      else missed.push(`${months()[index]?.[0]}: ${String(result.reason)}`);
    });
    // An archive this browser cannot reach is named, not silently missing from the file.
    setSkipped(missed);
    return commandsExport(props.deviceId, doc, archives);
  };
  return (
    <section class="card" aria-labelledby="exports-title">
      <h2 id="exports-title">Exports</h2>
      <p class="muted">Commands with their state now, as CSV or JSON.</p>
      <label class="inline">
        <input
          type="checkbox"
          checked={withArchived()}
          onChange={(event) => setWithArchived(event.currentTarget.checked)}
        />{" "}
        Include archived commands ({months().length} month{months().length === 1 ? "" : "s"})
      </label>
      <ExportButtons label="commands" fileName={`${props.deviceId}-commands`} source={source} />
      <Show when={skipped().length > 0}>
        <p class="error" role="alert">
          Not included (archive not available): {skipped().join("; ")}
        </p>
      </Show>
    </section>
  );
}
