import type { DocHandle } from "@automerge/automerge-repo/slim";
import {
  createDeviceDoc,
  DEFAULT_POLICY,
  type DeviceDoc,
  lastPolicyEdit,
  parseDeviceId,
  policyValues,
} from "@outpost/shared-model";
import { eventually } from "@outpost/shared-model/testing";
import { cleanup, fireEvent, render, screen } from "@solidjs/testing-library";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createDocumentStore } from "../primitives/create-document-store.js";
import { makeTestReplica } from "../testing/test-replica.js";
import { makeTestTrust } from "../testing/test-trust.js";
import { makeDeviceActions } from "./device-actions.js";
import { createOneDeviceActions } from "./one-device-actions.js";
import { PolicyEditor } from "./PolicyEditor.js";

const DEVICE = parseDeviceId("laptop-042");

let replica: ReturnType<typeof makeTestReplica>;
let handle: DocHandle<DeviceDoc>;

beforeEach(async () => {
  replica = makeTestReplica({ admin: "alice" });
  handle = replica.repo.create(createDeviceDoc(DEVICE));
  const trust = await makeTestTrust({ admin: "alice" });
  render(() => {
    const doc = createDocumentStore(handle);
    const actions = createOneDeviceActions(makeDeviceActions(replica, trust), DEVICE, handle);
    return <PolicyEditor registers={doc.policy} actions={actions} />;
  });
});

afterEach(async () => {
  cleanup();
  await replica.close();
});

/** Types `value` into the field labelled `label`, as the browser reports it. */
function type(label: string, value: string): void {
  fireEvent.input(screen.getByLabelText(label), { target: { value } });
}

const save = () => fireEvent.click(screen.getByRole("button", { name: "Save policy" }));

describe("PolicyEditor", () => {
  it("names an out-of-range setting and writes nothing", async () => {
    const heads = handle.heads();
    type("Sampling interval (s)", "5000");
    save();
    // The browser's own check (max="3600") stops the click; the form checks what gets through.
    const sampling = screen.getByLabelText("Sampling interval (s)") as HTMLInputElement;
    expect(sampling.validity.rangeOverflow).toBe(true);
    expect(screen.queryByRole("alert")).toBeNull();
    fireEvent.submit(sampling.form as HTMLFormElement);

    const problems = await screen.findByRole("alert", { name: "Policy problems" });
    expect(problems.textContent).toContain("policy.samplingIntervalS");
    expect(screen.queryByRole("status")).toBeNull();
    expect(handle.heads()).toEqual(heads);
    expect(handle.doc().policy.samplingIntervalS).toBeUndefined();
    expect(replica.pending.documentIds()).toEqual([]);
  });

  it("saves a valid policy as this admin and says so", async () => {
    type("Window start", "22:30");
    type("Window end", "01:00");
    fireEvent.click(screen.getByRole("checkbox", { name: /Allow shell\.run/ }));
    save();

    await eventually(() => expect(handle.doc().policy.allowShell).toBeDefined());
    const policy = handle.doc().policy;
    expect(policy.maintenanceWindow?.value).toEqual({ start: "22:30", end: "01:00" });
    expect(policy.allowShell?.value).toBe(true);
    // Only what the admin changed is written (each setting is its own signed register); the
    // sampling interval left alone stays the one in force.
    expect(policyValues(policy, DEFAULT_POLICY).samplingIntervalS).toBe(10);
    expect(policy.samplingIntervalS).toBeUndefined();
    expect(policy.allowShell?.setBy).toBe("admin:alice");
    expect(replica.pending.has(handle.documentId)).toBe(true);
    expect((await screen.findByRole("status")).textContent).toContain("Saved");
    expect(screen.queryByRole("alert")).toBeNull();
    await eventually(() => expect(screen.getByText(/Last edited by admin:alice/)).toBeTruthy());
  });

  it("names an empty setting the browser lets through, and clears it once fixed", async () => {
    type("Keep synced days (days)", "");
    save();
    expect((await screen.findByRole("alert")).textContent).toContain("policy.retainDays");
    expect(lastPolicyEdit(handle.doc().policy)).toBeUndefined();

    type("Keep synced days (days)", "30");
    save();
    await eventually(() => expect(screen.queryByRole("alert")).toBeNull());
    expect(handle.doc().policy.retainDays?.value).toBe(30);
  });
});
