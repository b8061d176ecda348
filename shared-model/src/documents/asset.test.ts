import * as A from "@automerge/automerge";
import { describe, expect, it } from "vitest";
import {
  aliceAt,
  bobAt,
  forkReplica,
  newDeviceReplica,
  syncPair,
  T0,
} from "../testing/replicas.js";
import { validateDeviceDoc } from "../validation/device-doc.js";
import { ValidationFailed } from "../validation/invalid-field.js";
import { assetConflicts, updateAsset } from "./asset.js";

describe("updateAsset", () => {
  it("writes only what changed, with who and when, and the result validates", () => {
    const doc = A.change(newDeviceReplica(), (d) =>
      updateAsset(d, { assignee: "dana", lifecycle: "deployed", tags: ["field"] }, aliceAt(T0)),
    );
    expect(doc.asset).toMatchObject({
      assignee: "dana",
      lifecycle: "deployed",
      tags: ["field"],
      updatedBy: "admin:alice",
      updatedAt: T0,
    });
    expect(validateDeviceDoc(doc).problems).toEqual([]);
    const same = A.change(doc, (d) => updateAsset(d, { assignee: "dana" }, bobAt(T0 + 1)));
    expect(A.getHeads(same)).toEqual(A.getHeads(doc));
  });

  it("refuses a bad field and writes nothing", () => {
    const doc = newDeviceReplica();
    expect(() =>
      A.change(doc, (d) =>
        updateAsset(d, { assignee: "x", lifecycle: "stolen" as never }, aliceAt(T0)),
      ),
    ).toThrow(ValidationFailed);
  });

  it("keeps both admins' edits of different fields, and shows a conflict on the same one", () => {
    const base = newDeviceReplica();
    let alice = forkReplica(base, "a1");
    let bob = forkReplica(base, "b1");
    alice = A.change(alice, (d) =>
      updateAsset(d, { assignee: "dana", location: "Oslo" }, aliceAt(T0)),
    );
    bob = A.change(bob, (d) =>
      updateAsset(d, { assignee: "eric", notes: "battery weak" }, bobAt(T0)),
    );
    [alice, bob] = syncPair(alice, bob);
    expect(alice.asset.location).toBe("Oslo");
    expect(alice.asset.notes).toBe("battery weak");
    expect(alice.asset.assignee).toBe(bob.asset.assignee);
    expect(assetConflicts(alice, "assignee")).toEqual(["dana", "eric"]);
    expect(assetConflicts(alice, "location")).toEqual(["Oslo"]);

    // Either admin settles it by writing a value, the one shown included; everyone agrees.
    const shown = alice.asset.assignee;
    alice = A.change(alice, (d) => updateAsset(d, { assignee: shown }, aliceAt(T0 + 1)));
    [alice, bob] = syncPair(alice, bob);
    expect(assetConflicts(alice, "assignee")).toEqual([shown]);
    expect(assetConflicts(bob, "assignee")).toEqual([shown]);
  });
});
