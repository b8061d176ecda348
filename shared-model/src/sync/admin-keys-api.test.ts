import { describe, expect, it } from "vitest";
import { parseAdminKeyList, relayErrorText } from "./admin-keys-api.js";

const KEY_ID = "ab12cdEFghIJklMNopQRst";
const PUBLIC_KEY = "A".repeat(43);

describe("parseAdminKeyList", () => {
  it("reads a relay's key list", () => {
    const list = {
      rootPublicKey: PUBLIC_KEY,
      fleet: "SHA256:x",
      keys: [
        {
          keyId: KEY_ID,
          admin: "alice",
          publicKey: PUBLIC_KEY,
          label: "Chrome on Linux",
          status: "pending",
          registeredAt: 1,
        },
      ],
    };
    expect(parseAdminKeyList(list)).toEqual(list);
  });

  it("names every malformed field", () => {
    expect(() =>
      parseAdminKeyList({
        rootPublicKey: "x",
        fleet: "SHA256:x",
        keys: [{ keyId: KEY_ID, status: "lost" }],
      }),
    ).toThrow(/rootPublicKey: expected an Ed25519 public key.*keys\.0\.admin.*keys\.0\.status/);
  });
});

describe("relayErrorText", () => {
  it("is the relay's error, with the fields it named, or the status when it said nothing", () => {
    expect(relayErrorText({ error: "key unknown" }, 404)).toBe("key unknown");
    expect(
      relayErrorText(
        { error: "bad request", problems: [{ path: "publicKey", message: "too short" }] },
        400,
      ),
    ).toBe("bad request (publicKey: too short)");
    expect(relayErrorText(undefined, 502)).toBe("HTTP 502");
  });
});
