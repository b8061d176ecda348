import type { EnrollmentTokenSummary } from "@outpost/shared-model";
import { describe, expect, it } from "vitest";
import { formatTime } from "../ui/format.js";
import { agentBundleUrl, tokenStatus } from "./token-status.js";

const NOW = Date.UTC(2026, 11, 1, 12);
const HOUR = 3_600_000;
const token = (fields: Partial<EnrollmentTokenSummary>): EnrollmentTokenSummary => ({
  tokenId: "0123456789ab",
  createdAt: NOW - HOUR,
  createdBy: "admin:alice",
  expiresAt: NOW + HOUR,
  ...fields,
});

describe("tokenStatus", () => {
  it("is usable until it expires", () => {
    expect(tokenStatus(token({}), NOW)).toEqual({
      state: "usable",
      text: `usable until ${formatTime(NOW + HOUR)}`,
    });
    expect(tokenStatus(token({ expiresAt: NOW }), NOW)).toEqual({
      state: "expired",
      text: `expired ${formatTime(NOW)}`,
    });
  });

  it("says which device used it, even once it expired", () => {
    const used = token({ usedAt: NOW - 60_000, usedBy: "kiosk-7", expiresAt: NOW - 1 });
    expect(tokenStatus(used, NOW)).toEqual({
      state: "used",
      text: `used by kiosk-7 ${formatTime(NOW - 60_000)}`,
    });
  });

  it("is revoked once an admin revoked it, expired or not", () => {
    const revoked = token({ revokedAt: NOW - 1_000, expiresAt: NOW - 1 });
    expect(tokenStatus(revoked, NOW)).toEqual({
      state: "revoked",
      text: `revoked ${formatTime(NOW - 1_000)}`,
    });
  });
});

describe("agentBundleUrl", () => {
  it("is the relay's bundle route, whatever slashes the address ends with", () => {
    expect(agentBundleUrl("https://relay.example.com/")).toBe(
      "https://relay.example.com/v1/agent/bundle",
    );
    expect(agentBundleUrl("http://127.0.0.1:8080")).toBe("http://127.0.0.1:8080/v1/agent/bundle");
  });
});
