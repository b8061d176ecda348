import { describe, expect, it } from "vitest";
import { messageOf } from "./message-of.js";

describe("messageOf", () => {
  it("reads an Error's message", () => {
    expect(messageOf(new TypeError("bad input"))).toBe("bad input");
  });

  it("reads a plain object's string message, as an error from another realm has", () => {
    expect(messageOf({ message: "from a worker" })).toBe("from a worker");
  });

  it("renders anything else as text rather than undefined", () => {
    expect(messageOf("thrown text")).toBe("thrown text");
    expect(messageOf(undefined)).toBe("undefined");
    expect(messageOf({ message: 42 })).toBe("[object Object]");
  });
});
