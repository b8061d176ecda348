import type { DocHandle } from "@automerge/automerge-repo/slim";
import type { DeviceDoc } from "@outpost/shared-model";
import type { JSX } from "solid-js";
import { commandsExport } from "../export/commands-export.js";
import { ExportButtons } from "../export/ExportButtons.js";

/**
 * Downloads of this device's records (its telemetry and audit have their own, by range). The
 * device ID is the fleet's, never the document's own `deviceId` field, which the device writes.
 */
export function DeviceExports(props: {
  deviceId: string;
  handle: DocHandle<DeviceDoc>;
}): JSX.Element {
  return (
    <section class="card" aria-labelledby="exports-title">
      <h2 id="exports-title">Exports</h2>
      <p class="muted">Commands with their state now, as CSV or JSON.</p>
      <ExportButtons
        label="commands"
        fileName={`${props.deviceId}-commands`}
        source={() => commandsExport(props.deviceId, props.handle.doc())}
      />
    </section>
  );
}
