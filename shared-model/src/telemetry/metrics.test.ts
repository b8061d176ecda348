import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromFixedPoint, STANDARD_METRICS, toFixedPoint } from "./metrics.js";

describe("STANDARD_METRICS", () => {
  it("declares the agent's twelve metrics with positive integer scales", () => {
    expect(Object.keys(STANDARD_METRICS)).toEqual([
      "cpu",
      "memory",
      "disk",
      "netRx",
      "netTx",
      "temperature",
      "battery",
      "rtt",
      "online",
      "uptime",
      "processes",
      "diskFailing",
    ]);
    for (const descriptor of Object.values(STANDARD_METRICS)) {
      expect(Number.isInteger(descriptor.scale) && descriptor.scale > 0).toBe(true);
      expect(descriptor.unit).not.toBe("");
    }
  });
});

describe("toFixedPoint / fromFixedPoint", () => {
  it("rounds to the metric's resolution", () => {
    expect(toFixedPoint(12.34, STANDARD_METRICS.cpu)).toBe(123);
    expect(toFixedPoint(12.35, STANDARD_METRICS.cpu)).toBe(124);
    expect(toFixedPoint(6_203.6, STANDARD_METRICS.memory)).toBe(6_204);
    expect(toFixedPoint(-3.25, STANDARD_METRICS.temperature)).toBe(-32);
    expect(fromFixedPoint(123, STANDARD_METRICS.cpu)).toBe(12.3);
    expect(fromFixedPoint(-32, STANDARD_METRICS.temperature)).toBe(-3.2);
  });

  it("never yields -0, which Automerge would store as a float", () => {
    expect(Object.is(toFixedPoint(-0.01, STANDARD_METRICS.cpu), 0)).toBe(true);
  });

  it("round-trips every stored integer of every standard metric", () => {
    const descriptors = Object.values(STANDARD_METRICS);
    fc.assert(
      fc.property(
        fc.constantFrom(...descriptors),
        fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }),
        (descriptor, stored) => {
          expect(toFixedPoint(fromFixedPoint(stored, descriptor), descriptor)).toBe(stored);
        },
      ),
    );
  });

  it("round-trips real values already at the metric's resolution", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), (tenths) => {
        const value = tenths / 10;
        expect(
          fromFixedPoint(toFixedPoint(value, STANDARD_METRICS.cpu), STANDARD_METRICS.cpu),
        ).toBe(value);
      }),
    );
  });
});
