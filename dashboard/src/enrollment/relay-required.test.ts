import { describe, expect, it } from "vitest";
import { whyRelayUnavailable } from "./relay-required.js";

describe("whyRelayUnavailable", () => {
  it("lets relay actions run while the relay is reachable", () => {
    expect(whyRelayUnavailable({ kind: "online" })).toBeUndefined();
    expect(whyRelayUnavailable({ kind: "syncing" })).toBeUndefined();
  });

  it("says why not otherwise, and when it comes back", () => {
    expect(whyRelayUnavailable({ kind: "offline", reason: "relay down", retryAt: 0 })).toBe(
      "Offline (relay down): this needs the relay, and works again once the header says Online",
    );
    expect(whyRelayUnavailable({ kind: "connecting" })).toMatch(/^Connecting to the relay/);
    expect(whyRelayUnavailable({ kind: "unauthorized", reason: "token revoked" })).toBe(
      "The relay refused this session's token (token revoked): sign out and in with a valid admin token",
    );
  });
});
