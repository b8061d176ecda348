import type { DocHandle } from "@automerge/automerge-repo/slim";
import {
  createDeviceDoc,
  type DeviceDoc,
  parseDeviceId,
  plainCommands,
} from "@outpost/shared-model";
import { cleanup, fireEvent, render, screen } from "@solidjs/testing-library";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeDeviceActions } from "../device/device-actions.js";
import type { Fleet } from "../primitives/create-fleet.js";
import { makeTestReplica } from "../testing/test-replica.js";
import { makeTestTrust, type TestTrust } from "../testing/test-trust.js";
import { FleetToolbar } from "./FleetToolbar.js";
import { DEFAULT_QUERY } from "./fleet-query.js";

let replica: ReturnType<typeof makeTestReplica>;
let loaded: DocHandle<DeviceDoc>;
let trust: TestTrust;

beforeEach(async () => {
  replica = makeTestReplica({ admin: "alice" });
  trust = await makeTestTrust({ admin: "alice" });
  loaded = replica.repo.create(createDeviceDoc(parseDeviceId("laptop-042")));
});

afterEach(async () => {
  cleanup();
  await replica.close();
});

/** What the toolbar reads of the fleet: which selected devices this browser has loaded. */
function fleetWith(handles: Record<string, DocHandle<DeviceDoc>>): Pick<Fleet, "handleOf"> {
  return { handleOf: (deviceId) => handles[deviceId] };
}

describe("FleetToolbar", () => {
  it("enqueues on the selected devices it has and names the one it has not", async () => {
    const actions = makeDeviceActions(replica, trust);
    render(() => (
      <FleetToolbar
        query={DEFAULT_QUERY}
        onQuery={() => {}}
        lifecycles={[]}
        visibleColumns={["hostname"]}
        onVisibleColumns={() => {}}
        selected={new Set(["laptop-042", "kiosk-7"])}
        shown={[]}
        columns={[]}
        context={{ now: 0, isOnline: () => false }}
        fleet={fleetWith({ "laptop-042": loaded })}
        onEnqueue={actions.enqueue}
      />
    ));
    fireEvent.click(screen.getByRole("button", { name: "Enqueue on 2 selected" }));
    expect(screen.getByRole("note").textContent).toBe(
      "1 of them have not reached this browser yet and are left out.",
    );

    fireEvent.click(screen.getByRole("button", { name: "Enqueue" }));

    expect((await screen.findByRole("status")).textContent).toBe(
      "Enqueued collect inventory on 1 of 2 devices.",
    );
    expect(screen.getByRole("alert").textContent).toBe(
      "Not enqueued on kiosk-7: its document is not in this browser yet",
    );
    expect(Object.values(plainCommands(loaded.doc().commands))).toMatchObject([
      { spec: { kind: "inventory.collect", createdBy: "admin:alice" } },
    ]);
    expect(replica.pending.documentIds()).toEqual([loaded.documentId]);
  });
});
