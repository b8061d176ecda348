import * as A from "@automerge/automerge";
import type { DocHandle } from "@automerge/automerge-repo/slim";
import {
  type CommandId,
  createDeviceDoc,
  type DeviceDoc,
  enqueueCommand,
  eventsOf,
  liveCommand,
  parseDeviceId,
  recordFact,
  setPriority,
} from "@outpost/shared-model";
import { eventually } from "@outpost/shared-model/testing";
import { cleanup, fireEvent, render, screen, within } from "@solidjs/testing-library";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeDeviceActions } from "../device/device-actions.js";
import { createOneDeviceActions } from "../device/one-device-actions.js";
import { createDocumentStore } from "../primitives/create-document-store.js";
import { makeTestReplica } from "../testing/test-replica.js";
import { makeTestTrust, type TestTrust } from "../testing/test-trust.js";
import { CommandQueue } from "./CommandQueue.js";

const DEVICE = parseDeviceId("laptop-042");
const AGENT = { by: `agent:${DEVICE}`, at: 2_000 };

let replica: ReturnType<typeof makeTestReplica>;
let handle: DocHandle<DeviceDoc>;
let id: CommandId;
let trust: TestTrust;

beforeEach(async () => {
  replica = makeTestReplica({ admin: "alice" });
  trust = await makeTestTrust({ admin: "alice" });
  handle = replica.repo.create(createDeviceDoc(DEVICE));
  handle.change((doc) => {
    id = enqueueCommand(
      doc,
      { kind: "service.restart", args: { name: "cups" }, priority: 5 },
      { by: "admin:carol", at: 1_000 },
    );
  });
});

afterEach(async () => {
  cleanup();
  await replica.close();
});

/**
 * The queue (each command a CommandItem) over a live store of the document, with the device
 * page's actions over the test replica.
 */
function renderQueue(): HTMLElement {
  render(() => {
    const doc = createDocumentStore(handle);
    const actions = createOneDeviceActions(makeDeviceActions(replica, trust), DEVICE, handle);
    return <CommandQueue doc={doc} actions={actions} />;
  });
  return screen.getByRole("listitem");
}

const events = () => eventsOf(handle.doc().commands, id);
const priorityOf = () => liveCommand(handle.doc().commands, id)?.priority;

/** Another replica of `source`'s document, writing as `actorHex` repeated (`ff` sorts last). */
function forkWithActor(source: DocHandle<DeviceDoc>, actorHex: string): DocHandle<DeviceDoc> {
  const fork = replica.repo.clone(source);
  fork.update((doc) => A.clone(doc, { actor: actorHex.repeat(16) }));
  return fork;
}

describe("CommandItem", () => {
  it("shows a pending command, and Cancel asks the agent as this admin", async () => {
    const item = renderQueue();
    expect(within(item).getByTestId("command-status").textContent).toBe("pending");
    expect(within(item).getByText("name=cups")).toBeTruthy();
    expect(within(item).queryByRole("button", { name: "Retry" })).toBeNull();

    fireEvent.click(within(item).getByRole("button", { name: "Cancel" }));

    await eventually(() =>
      expect(events()).toMatchObject([{ type: "cancel-requested", by: "admin:alice" }]),
    );
    expect(replica.pending.has(handle.documentId)).toBe(true);
    const asked = await eventually(() => screen.getByRole("button", { name: "Cancel asked" }));
    expect((asked as HTMLButtonElement).disabled).toBe(true);
  });

  it("writes a new priority chosen in the select", async () => {
    const item = renderQueue();
    const select = within(item).getByRole("combobox", {
      name: `Priority of service.restart ${id}`,
    }) as HTMLSelectElement;
    expect(select.value).toBe("5");

    fireEvent.change(select, { target: { value: "8" } });

    await eventually(() => expect(priorityOf()).toMatchObject({ value: 8, setBy: "admin:alice" }));
    await eventually(() => expect(select.value).toBe("8"));
    expect(screen.queryByTestId("priority-conflict")).toBeNull();
  });

  it("offers Retry on a failed command and appends the request", async () => {
    handle.change((doc) => {
      recordFact(doc, id, { type: "started", attempt: 1 }, AGENT);
      recordFact(doc, id, { type: "failed", outcome: { exitCode: 3, durationMs: 40 } }, AGENT);
    });
    const item = renderQueue();
    expect(within(item).getByTestId("command-status").textContent).toBe("failed");
    expect(within(item).queryByRole("button", { name: "Cancel" })).toBeNull();

    fireEvent.click(within(item).getByRole("button", { name: "Retry" }));

    await eventually(() =>
      expect(events().at(-1)).toMatchObject({ type: "retry-requested", by: "admin:alice" }),
    );
  });

  // Which concurrent priority Automerge keeps depends on the writers' actor IDs: both outcomes.
  it.each([
    ["bob's", "ff", 2],
    ["alice's", "00", 8],
  ])("names both admins of concurrent priorities when %s wins", async (_, otherActor, kept) => {
    const item = renderQueue();
    const other = forkWithActor(handle, otherActor);
    fireEvent.change(within(item).getByRole("combobox"), { target: { value: "8" } });
    // Signing takes a moment: alice's write lands before the merge, concurrent with bob's.
    await eventually(() => expect(priorityOf()?.setBy).toBe("admin:alice"));
    other.change((doc) => setPriority(doc, id, 2, { by: "admin:bob", at: 3_000 }));
    handle.merge(other);

    const note = await eventually(() => screen.getByTestId("priority-conflict"));
    expect(note.textContent).toContain("admin:alice to 8");
    expect(note.textContent).toContain("admin:bob to 2");
    expect(note.textContent).toContain(`${kept} holds everywhere`);
    expect(priorityOf()?.value).toBe(kept);
  });
});
