import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS, limitsWithDefaults } from "./relay-options.js";

describe("limitsWithDefaults", () => {
  it("takes the given limits over the defaults and keeps a default for each one left undefined", () => {
    const limits = limitsWithDefaults({ maxConnections: 100, maxMessageBytes: undefined });
    expect(limits).toEqual({ ...DEFAULT_LIMITS, maxConnections: 100 });
  });

  it("is the defaults when nothing is given", () => {
    expect(limitsWithDefaults()).toEqual(DEFAULT_LIMITS);
  });
});
