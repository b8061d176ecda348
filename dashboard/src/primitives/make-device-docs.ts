import type { AutomergeUrl, DocHandle } from "@automerge/automerge-repo/slim";
import type { DeviceDoc } from "@outpost/shared-model";
import type { Replica } from "../sync/replica.js";

/** The DeviceDocs the fleet has loaded, by device. */
export interface DeviceDocs {
  /**
   * Finds the device's DeviceDoc at `url` and follows it. Rejects when it is neither here nor
   * given by the relay in time; resolves `undefined` when closed meanwhile.
   */
  load(deviceId: string, url: string): Promise<DocHandle<DeviceDoc> | undefined>;
  /** The device's DeviceDoc handle, once loaded. */
  handleOf(deviceId: string): DocHandle<DeviceDoc> | undefined;
  /** The FleetDoc now names another DeviceDoc for the device: the next load finds that one. */
  forget(deviceId: string): void;
  /** How many devices have their DeviceDoc loaded. */
  count(): number;
  /** Stops following every DeviceDoc. */
  close(): void;
}

/**
 * Loads DeviceDocs from the replica, has the replica watch each (acknowledgements, heartbeats)
 * and calls `onChange` with the device on each change. Not reactive: the owner calls `close`.
 */
export function makeDeviceDocs(
  replica: Pick<Replica, "repo" | "watch">,
  onChange: (deviceId: string) => void,
): DeviceDocs {
  const handles = new Map<string, DocHandle<DeviceDoc>>();
  const cleanups: (() => void)[] = [];
  let closed = false;

  return {
    async load(deviceId, url) {
      const handle = await replica.repo.find<DeviceDoc>(url as AutomergeUrl);
      if (closed) return undefined;
      handles.set(deviceId, handle);
      replica.watch(handle as DocHandle<unknown>);
      const changed = () => onChange(deviceId);
      handle.on("change", changed);
      cleanups.push(() => handle.off("change", changed));
      return handle;
    },
    handleOf: (deviceId) => handles.get(deviceId),
    forget: (deviceId) => handles.delete(deviceId),
    count: () => handles.size,
    close() {
      closed = true;
      for (const cleanup of cleanups) cleanup();
    },
  };
}
