import { describe, expect, it } from "vitest";
import { deviceAdminAnswers, parseRelayAnswer } from "./device-admin-schemas.js";

const DEVICE = {
  deviceId: "laptop-042",
  hostname: "laptop-042",
  deviceDocUrl: "automerge:2j9knpCseyhnK8izDmLpGP5WMdZQ",
  status: "revoked",
  enrolledAt: 1_000,
  revokedAt: 2_000,
  connected: false,
  ownedDocuments: 3,
};

describe("parseRelayAnswer", () => {
  it("reads the relay's answers about devices, dropping fields it does not know", () => {
    expect(
      parseRelayAnswer(deviceAdminAnswers.devices, { devices: [{ ...DEVICE, later: 1 }] }, "list"),
    ).toEqual({ devices: [DEVICE] });
    const request = {
      requestId: "0123456789ab",
      deviceId: "laptop-042",
      hostname: "laptop-042",
      deviceDocUrl: DEVICE.deviceDocUrl,
      remoteAddress: "192.0.2.7",
      requestedAt: 3_000,
      status: "pending",
      current: {
        hostname: "laptop-042",
        deviceDocUrl: DEVICE.deviceDocUrl,
        status: "active",
        enrolledAt: 1_000,
        connectedAtRequest: true,
        connectedNow: false,
      },
    };
    expect(parseRelayAnswer(deviceAdminAnswers.request, { request }, "request")).toEqual({
      request,
    });
    const token = {
      tokenId: "abcdef012345",
      createdAt: 1,
      createdBy: "admin:alice",
      expiresAt: 2,
      usedAt: 1,
      usedBy: "kiosk-7",
    };
    expect(parseRelayAnswer(deviceAdminAnswers.tokens, { tokens: [token] }, "tokens")).toEqual({
      tokens: [token],
    });
  });

  it("names every malformed field and what the answer was", () => {
    expect(() =>
      parseRelayAnswer(
        deviceAdminAnswers.devices,
        { devices: [{ ...DEVICE, status: "lost", enrolledAt: "yesterday" }] },
        "device list",
      ),
    ).toThrow(/^invalid device list: devices\.0\.status: .*devices\.0\.enrolledAt/);
    expect(() =>
      parseRelayAnswer(
        deviceAdminAnswers.issued,
        { tokenId: "x", token: "opt_1", expiresAt: 1, relayUrl: "http://r", install: {} },
        "enrollment token",
      ),
    ).toThrow(/tokenId: expected 12 hex digits.*install\.shell/);
  });
});
