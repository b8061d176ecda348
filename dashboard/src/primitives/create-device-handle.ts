import type { AutomergeUrl, DocHandle } from "@automerge/automerge-repo/slim";
import type { DeviceDoc } from "@outpost/shared-model";
import { type Accessor, createResource } from "solid-js";
import type { Replica } from "../sync/replica.js";
import type { Fleet } from "./create-fleet.js";

/**
 * The DeviceDoc handle of `deviceId`: the fleet's, or found in the replica by the URL the
 * FleetDoc gives (a page opened directly, before the fleet view loaded it).
 */
export function createDeviceHandle(
  replica: Replica,
  fleet: Fleet,
  deviceId: string,
): { handle: Accessor<DocHandle<DeviceDoc> | undefined>; error: Accessor<unknown> } {
  const [handle] = createResource(
    () => fleet.row(deviceId)?.deviceDocUrl,
    async (url) => {
      const loaded =
        fleet.handleOf(deviceId) ?? (await replica.repo.find<DeviceDoc>(url as AutomergeUrl));
      replica.watch(loaded as DocHandle<unknown>);
      return loaded;
    },
  );
  return {
    handle: () => (handle.state === "ready" ? handle() : undefined),
    error: () => handle.error,
  };
}
