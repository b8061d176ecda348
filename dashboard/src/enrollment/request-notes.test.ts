import type { PendingEnrollmentSummary } from "@outpost/shared-model";
import { describe, expect, it } from "vitest";
import { formatTime } from "../ui/format.js";
import { requestNotes, requestStateText } from "./request-notes.js";

const OWN_DOC = "automerge:2j9knpCseyhnK8izDmLpGP5WMdZQ";
const NEW_DOC = "automerge:3Kb1uNnRKhR7DZ2Y2ZGaEXyc2bdC";

const CURRENT = {
  hostname: "laptop-042",
  deviceDocUrl: OWN_DOC,
  status: "active",
  enrolledAt: 500,
  connectedAtRequest: false,
  connectedNow: false,
} as const satisfies PendingEnrollmentSummary["current"];

const request = (fields: Partial<PendingEnrollmentSummary> = {}): PendingEnrollmentSummary => ({
  requestId: "0123456789ab",
  deviceId: "laptop-042",
  hostname: "laptop-042",
  deviceDocUrl: NEW_DOC,
  remoteAddress: "192.0.2.7",
  requestedAt: 1_000,
  status: "pending",
  current: CURRENT,
  ...fields,
});

describe("requestNotes", () => {
  it("says a reinstalled agent from the same machine is what it looks like", () => {
    expect(requestNotes(request())).toEqual([
      { text: "Syncs a new DeviceDoc (a reinstalled agent, or another machine).", warning: false },
    ]);
  });

  it("warns when the enrolled device is connected, or the requester names another host", () => {
    const current = { ...CURRENT, connectedAtRequest: true, connectedNow: true };
    const notes = requestNotes(request({ hostname: "evil.example", current }));
    expect(notes.filter((note) => note.warning).map((note) => note.text)).toEqual([
      "laptop-042 is connected now: most likely not the machine asking.",
      "Asks as evil.example; the enrolled device is laptop-042.",
    ]);
    const earlier = requestNotes(request({ current: { ...current, connectedNow: false } }));
    expect(earlier[0]?.text).toBe(
      "laptop-042 was connected when the request came: most likely not the machine asking.",
    );
  });

  it("names the device's own DeviceDoc, a revoked device, and a device gone", () => {
    const current = { ...CURRENT, status: "revoked" as const };
    expect(requestNotes(request({ deviceDocUrl: OWN_DOC, current })).map((n) => n.text)).toEqual([
      "Syncs the enrolled device's own DeviceDoc (its data folder, credentials lost).",
      "The enrolled device is revoked; approving gives this requester its ID.",
    ]);
    expect(requestNotes(request({ current: undefined }))).toEqual([
      { text: "No device is enrolled under this ID any more.", warning: false },
    ]);
  });
});

describe("requestStateText", () => {
  it("says what became of the request, who decided and when", () => {
    expect(requestStateText(request())).toBe("waiting for an admin");
    const decided = { decidedBy: "admin:alice", decidedAt: 2_000 };
    expect(requestStateText(request({ status: "denied", ...decided }))).toBe(
      `denied by admin:alice ${formatTime(2_000)}`,
    );
    expect(requestStateText(request({ status: "approved", ...decided }))).toMatch(
      /^approved by admin:alice .*; the device collects its token when it asks again$/,
    );
    expect(requestStateText(request({ status: "expired" }))).toBe(
      "expired: nobody collected it within 7 days",
    );
  });
});
