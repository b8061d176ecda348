import { describe, expect, it } from "vitest";
import type { DeviceId } from "../ids/ids.js";
import { actorOf } from "./actor.js";

describe("actorOf", () => {
  it("names an admin admin:<name> and a device's agent agent:<deviceId>", () => {
    expect(actorOf({ kind: "admin", name: "alice" })).toBe("admin:alice");
    expect(actorOf({ kind: "device", deviceId: "laptop-042" as DeviceId })).toBe(
      "agent:laptop-042",
    );
  });
});
