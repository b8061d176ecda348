import type { AutomergeUrl } from "@automerge/automerge-repo/slim";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  clearSession,
  loadSession,
  normalizeRelayUrl,
  type Session,
  SignInError,
  saveSession,
  signIn,
  syncUrl,
} from "./session.js";

const FLEET_DOC_URL = "automerge:2j9knpCseyhnK8izDmLpGP5WMdZQ" as AutomergeUrl;

function relayAnswering(status: number, body: unknown) {
  return vi.fn<typeof fetch>(async () => new Response(JSON.stringify(body), { status }));
}

const adminAnswer = {
  principal: "admin:alice",
  fleetDocUrl: FLEET_DOC_URL,
  relayPeerId: "relay-1",
};

describe("normalizeRelayUrl", () => {
  it.each([
    ["relay.example.com", "https://relay.example.com"],
    ["  https://relay.example.com/// ", "https://relay.example.com"],
    ["HTTP://Relay.Example.com:8080/", "http://relay.example.com:8080"],
    ["relay.example.com:8443/some/path", "https://relay.example.com:8443"],
  ])("makes %j the origin %j", (typed, origin) => {
    expect(normalizeRelayUrl(typed)).toBe(origin);
  });

  it("refuses what is no address, quoting it", () => {
    expect(() => normalizeRelayUrl("   ")).toThrow(SignInError);
    expect(() => normalizeRelayUrl("relay example.com")).toThrow(
      '"relay example.com" is not a relay address',
    );
  });
});

describe("signIn", () => {
  it("asks the relay who the token is and makes a session of an admin's answer", async () => {
    const fetchImpl = relayAnswering(200, adminAnswer);
    const before = Date.now();
    const session = await signIn(" relay.example.com/ ", "  secret-token ", fetchImpl);
    expect(fetchImpl).toHaveBeenCalledWith("https://relay.example.com/v1/session", {
      headers: { authorization: "Bearer secret-token" },
    });
    expect(session).toEqual({
      relayUrl: "https://relay.example.com",
      token: "secret-token",
      admin: "alice",
      fleetDocUrl: FLEET_DOC_URL,
      relayPeerId: "relay-1",
      signedInAt: expect.any(Number),
    });
    expect(session.signedInAt).toBeGreaterThanOrEqual(before);
  });

  it("asks for a token before calling the relay", async () => {
    const fetchImpl = relayAnswering(200, adminAnswer);
    await expect(signIn("relay.example.com", "   ", fetchImpl)).rejects.toThrow(
      "enter the admin token",
    );
    expect(fetchImpl).not.toHaveBeenCalled();
  });

  it("says the relay refused a token it answers 401 to, with its reason", async () => {
    const attempt = signIn("relay.example.com", "t", relayAnswering(401, { error: "revoked" }));
    await expect(attempt).rejects.toThrow(SignInError);
    await expect(attempt).rejects.toThrow("the relay refused this token (revoked)");
  });

  it("names the device a device token belongs to", async () => {
    const answer = { principal: "device:laptop-042", fleetDocUrl: FLEET_DOC_URL, relayPeerId: "r" };
    await expect(signIn("relay.example.com", "t", relayAnswering(200, answer))).rejects.toThrow(
      "this token belongs to device:laptop-042, not an admin",
    );
  });

  it("says it cannot reach a relay the request never got to", async () => {
    const offline = vi.fn<typeof fetch>(async () => {
      throw new TypeError("Failed to fetch");
    });
    await expect(signIn("relay.example.com", "t", offline)).rejects.toThrow(
      "cannot reach the relay at https://relay.example.com",
    );
  });

  it("reports another error status and an answer that is not an Outpost relay's", async () => {
    await expect(
      signIn("relay.example.com", "t", relayAnswering(503, { error: "starting" })),
    ).rejects.toThrow("the relay answered 503: starting");
    const foreign = { principal: "admin:alice", fleetDocUrl: "https://elsewhere" };
    await expect(signIn("relay.example.com", "t", relayAnswering(200, foreign))).rejects.toThrow(
      "lacks the fleet document",
    );
  });
});

describe("stored session", () => {
  const session: Session = {
    relayUrl: "https://relay.example.com",
    token: "secret",
    admin: "alice",
    fleetDocUrl: FLEET_DOC_URL,
    relayPeerId: "relay-1",
    signedInAt: 1_700_000_000_000,
  };

  beforeEach(() => localStorage.clear());
  afterEach(() => vi.restoreAllMocks());

  it("is kept until cleared", () => {
    expect(loadSession()).toBeUndefined();
    saveSession(session);
    expect(loadSession()).toEqual(session);
    clearSession();
    expect(loadSession()).toBeUndefined();
  });

  it.each([
    ["not JSON", "{oops"],
    ["JSON null", "null"],
    ["a field missing", JSON.stringify({ ...session, relayPeerId: undefined })],
    ["a bad admin name", JSON.stringify({ ...session, admin: "Not An Admin" })],
    ["a fleet URL of another kind", JSON.stringify({ ...session, fleetDocUrl: "https://x" })],
  ])("is ignored, with a warning, when damaged: %s", (_case, stored) => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    localStorage.setItem("outpost.session", stored);
    expect(loadSession()).toBeUndefined();
    expect(warn).toHaveBeenCalledWith(
      "[outpost:session]",
      expect.stringContaining("sign in again"),
    );
  });
});

describe("syncUrl", () => {
  it("is the relay's /sync over wss: for https:, with the token as a parameter", () => {
    const url = new URL(syncUrl({ relayUrl: "https://relay.example.com", token: "a b&c" }));
    expect(url.protocol).toBe("wss:");
    expect(url.host).toBe("relay.example.com");
    expect(url.pathname).toBe("/sync");
    expect(url.searchParams.get("token")).toBe("a b&c");
  });

  it("is ws: for a plain http: relay, keeping its port", () => {
    expect(syncUrl({ relayUrl: "http://localhost:8080", token: "t" })).toBe(
      "ws://localhost:8080/sync?token=t",
    );
  });
});
