import * as A from "@automerge/automerge";
import type { DocHandle } from "@automerge/automerge-repo/slim";
import { createDeviceDoc, type DeviceDoc, parseDeviceId, updateAsset } from "@outpost/shared-model";
import { eventually } from "@outpost/shared-model/testing";
import { cleanup, fireEvent, render, screen, within } from "@solidjs/testing-library";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createDocumentStore } from "../primitives/create-document-store.js";
import { makeTestReplica } from "../testing/test-replica.js";
import { makeTestTrust, type TestTrust } from "../testing/test-trust.js";
import { AssetEditor } from "./AssetEditor.js";
import { makeDeviceActions } from "./device-actions.js";
import { createOneDeviceActions } from "./one-device-actions.js";

const DEVICE = parseDeviceId("laptop-042");

let replica: ReturnType<typeof makeTestReplica>;
let handle: DocHandle<DeviceDoc>;
let trust: TestTrust;

beforeEach(async () => {
  replica = makeTestReplica({ admin: "alice" });
  trust = await makeTestTrust({ admin: "alice" });
  handle = replica.repo.create(createDeviceDoc(DEVICE));
});

afterEach(async () => {
  cleanup();
  await replica.close();
});

function renderEditor(): void {
  render(() => {
    const doc = createDocumentStore(handle);
    const actions = createOneDeviceActions(makeDeviceActions(replica, trust), DEVICE, handle);
    return (
      <AssetEditor
        asset={doc.asset}
        conflicts={actions.assetConflicts}
        onSave={actions.editAsset}
      />
    );
  });
}

/** Another replica of `handle`'s document, writing as `actorHex` repeated (`ff` sorts last). */
function forkWithActor(source: DocHandle<DeviceDoc>, actorHex: string): DocHandle<DeviceDoc> {
  const fork = replica.repo.clone(source);
  fork.update((doc) => A.clone(doc, { actor: actorHex.repeat(16) }));
  return fork;
}

describe("AssetEditor", () => {
  it("saves an edited assignee as this admin and notes the document as not on the relay", async () => {
    renderEditor();
    fireEvent.change(screen.getByLabelText("Assignee"), { target: { value: "  Dana Scully " } });

    const asset = handle.doc().asset;
    expect(asset.assignee).toBe("Dana Scully");
    expect(asset.updatedBy).toBe("admin:alice");
    expect(replica.pending.documentIds()).toEqual([handle.documentId]);
    expect(replica.watched).toEqual([handle]);
    expect(screen.queryByRole("alert")).toBeNull();
    await eventually(() => expect(screen.getByText(/Last edited by admin:alice/)).toBeTruthy());
    await eventually(() => expect(replica.savingCount()).toBe(0));
  });

  it("refuses an invalid value with an alert and writes nothing", () => {
    renderEditor();
    const heads = handle.heads();
    fireEvent.change(screen.getByLabelText("Tags"), {
      target: { value: `office, ${"x".repeat(101)}` },
    });

    expect(screen.getByRole("alert").textContent).toContain("asset.tags.1");
    expect(handle.heads()).toEqual(heads);
    expect(handle.doc().asset.tags).toEqual([]);
    expect(replica.pending.documentIds()).toEqual([]);
  });

  // Which concurrent value Automerge shows depends on the writers' actor IDs: both outcomes.
  it.each([
    ["bob's", "ff", "Fox"],
    ["alice's", "00", "Dana"],
  ])("shows both values two admins set at once when %s wins", async (_, otherActor, shown) => {
    const other = forkWithActor(handle, otherActor);
    renderEditor();
    fireEvent.change(screen.getByLabelText("Assignee"), { target: { value: "Dana" } });
    other.change((doc) => updateAsset(doc, { assignee: "Fox" }, { by: "admin:bob", at: 1_000 }));
    handle.merge(other);

    const note = await eventually(() => screen.getByTestId("conflict-assignee"));
    expect(note.getAttribute("role")).toBe("note");
    expect(note.textContent).toContain("Set at the same time to Dana and Fox;");
    expect(note.textContent).toContain(`every copy shows ${shown}.`);
    expect(handle.doc().asset.assignee).toBe(shown);

    // Keeping one settles it: the note goes, whichever value was shown.
    const kept = shown === "Dana" ? "Fox" : "Dana";
    fireEvent.click(within(note).getByRole("button", { name: kept }));
    await eventually(() => expect(screen.queryByTestId("conflict-assignee")).toBeNull());
    expect(handle.doc().asset.assignee).toBe(kept);
  });
});
