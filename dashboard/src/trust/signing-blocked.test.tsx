/**
 * While the admin's key waits for approval (or was revoked), every control that would write
 * something an agent acts on is off and says why: enqueue, cancel, retry, priority and policy on
 * the device page, and the fleet's bulk enqueue. The page header says it once, plainly.
 */
import type { DocHandle } from "@automerge/automerge-repo/slim";
import {
  type CommandId,
  createDeviceDoc,
  type DeviceDoc,
  enqueueCommand,
  eventsOf,
  parseDeviceId,
  recordFact,
} from "@outpost/shared-model";
import { eventually } from "@outpost/shared-model/testing";
import { cleanup, fireEvent, render, screen, within } from "@solidjs/testing-library";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CommandQueue } from "../commands/CommandQueue.js";
import { makeDeviceActions } from "../device/device-actions.js";
import { createOneDeviceActions } from "../device/one-device-actions.js";
import { PolicyEditor } from "../device/PolicyEditor.js";
import { FleetToolbar } from "../fleet/FleetToolbar.js";
import { DEFAULT_QUERY } from "../fleet/fleet-query.js";
import { SigningBanner } from "../keys/SigningBanner.js";
import type { SigningState } from "../keys/signing-keys.js";
import { createDocumentStore } from "../primitives/create-document-store.js";
import { makeTestReplica } from "../testing/test-replica.js";
import {
  makeTestTrust,
  PENDING_KEY,
  type TestTrust,
  WAITING_FOR_APPROVAL,
} from "../testing/test-trust.js";

const DEVICE = parseDeviceId("laptop-042");
const WAITING = WAITING_FOR_APPROVAL;

let replica: ReturnType<typeof makeTestReplica>;
let trust: TestTrust;
let handle: DocHandle<DeviceDoc>;
let waiting: CommandId;
let failed: CommandId;
let certified: SigningState;

beforeEach(async () => {
  replica = makeTestReplica({ admin: "alice" });
  trust = await makeTestTrust({ admin: "alice" });
  certified = trust.signing();
  trust.setSigning({ kind: "ready", keys: [PENDING_KEY], signer: undefined });
  handle = replica.repo.create(createDeviceDoc(DEVICE));
  handle.change((doc) => {
    const carol = { by: "admin:carol", at: 1_000 };
    waiting = enqueueCommand(doc, { kind: "system.reboot" }, carol);
    failed = enqueueCommand(doc, { kind: "inventory.collect" }, carol);
    const agent = { by: `agent:${DEVICE}`, at: 2_000 };
    recordFact(doc, failed, { type: "started", attempt: 1 }, agent);
    recordFact(doc, failed, { type: "failed", outcome: { exitCode: 1, durationMs: 5 } }, agent);
  });
  render(() => {
    const doc = createDocumentStore(handle);
    const actions = makeDeviceActions(replica, trust);
    const one = createOneDeviceActions(actions, DEVICE, handle);
    return (
      <>
        <SigningBanner state={trust.signing()} />
        <CommandQueue doc={doc} actions={one} />
        <PolicyEditor registers={doc.policy} actions={one} />
        <FleetToolbar
          query={DEFAULT_QUERY}
          onQuery={() => {}}
          lifecycles={[]}
          visibleColumns={["hostname"]}
          onVisibleColumns={() => {}}
          selected={new Set([DEVICE as string])}
          shown={[]}
          columns={[]}
          context={{ now: 0, isOnline: () => false }}
          fleet={{ handleOf: () => handle }}
          onEnqueue={actions.enqueue}
          enqueueBlocked={actions.blocked()}
        />
      </>
    );
  });
});

afterEach(async () => {
  cleanup();
  await replica.close();
});

const itemOf = (id: CommandId) =>
  document.querySelector(`li.command[data-command="${id}"]`) as HTMLElement;
const button = (name: string | RegExp, within_: HTMLElement = document.body) =>
  within(within_).getByRole("button", { name }) as HTMLButtonElement;

describe("while the signing key waits for approval", () => {
  it("says so at the top and turns off every signed write, each saying why", () => {
    expect(screen.getByTestId("signing-banner").textContent).toBe(`${WAITING}. Keys`);
    expect(screen.getByTestId("commands-blocked").textContent).toBe(WAITING);

    const cancel = button("Cancel", itemOf(waiting));
    const retry = button("Retry", itemOf(failed));
    const priority = within(itemOf(waiting)).getByRole("combobox") as HTMLSelectElement;
    for (const control of [cancel, retry, priority]) {
      expect(control.disabled).toBe(true);
      expect(control.title).toBe(WAITING);
    }
    fireEvent.click(button("Enqueue a command"));
    const enqueue = button(/^Enqueue$/);
    expect(enqueue.disabled).toBe(true);
    expect(screen.getByTestId("enqueue-blocked").textContent).toBe(WAITING);
    const save = button("Save policy");
    expect(save.disabled).toBe(true);
    expect(screen.getByTestId("policy-blocked").textContent).toBe(WAITING);
    const bulk = button("Enqueue on 1 selected");
    expect(bulk.disabled).toBe(true);
    expect(bulk.title).toBe(WAITING);
  });

  it("does not flash the header while the keys are still being read", () => {
    trust.setSigning({ kind: "starting" });
    expect(screen.queryByTestId("signing-banner")).toBeNull();
    expect(screen.getByTestId("commands-blocked").textContent).toBe("Your signing key is loading");
    expect(button("Save policy").disabled).toBe(true);
  });

  it("turns them on again once the root certifies the key", async () => {
    trust.setSigning(certified);
    expect(screen.queryByTestId("signing-banner")).toBeNull();
    expect(screen.queryByTestId("commands-blocked")).toBeNull();
    expect(button("Cancel", itemOf(waiting)).disabled).toBe(false);
    expect(button("Retry", itemOf(failed)).disabled).toBe(false);
    expect(button("Save policy").disabled).toBe(false);
    expect(button("Enqueue on 1 selected").disabled).toBe(false);

    fireEvent.click(button("Cancel", itemOf(waiting)));
    // The item is drawn anew for the command's new state: look it up each time.
    await eventually(() => expect(button("Cancel asked", itemOf(waiting)).disabled).toBe(true));
    expect(eventsOf(handle.doc().commands, waiting).at(-1)).toMatchObject({
      type: "cancel-requested",
      by: "admin:alice",
      signature: expect.any(String),
    });
  });
});
