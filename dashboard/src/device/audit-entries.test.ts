import type { AuditEntry, DeviceDoc } from "@outpost/shared-model";
import { eventually } from "@outpost/shared-model/testing";
import { createRoot, createSignal } from "solid-js";
import { afterEach, describe, expect, it } from "vitest";
import { type AuditEntries, createAuditEntries } from "./audit-entries.js";

type Telemetry = DeviceDoc["telemetry"];

/** An index of the days `2026-11-01` … `2026-11-<count>`. */
function indexOf(count: number): Telemetry {
  const days = Array.from({ length: count }, (_, i) => `2026-11-${String(i + 1).padStart(2, "0")}`);
  return Object.fromEntries(days.map((day) => [day, { url: `url-of-${day}`, samples: 0 }]));
}

/** A load whose answers the test gives, one question at a time. */
function controlledLoad() {
  const questions: { days: readonly string[]; answer: (entries: AuditEntry[]) => void }[] = [];
  const load = (_: Telemetry, days: readonly string[]) =>
    new Promise<AuditEntry[]>((resolve) => questions.push({ days, answer: resolve }));
  return { questions, load };
}

const entry = (action: string): AuditEntry => ({ at: 1, actor: "relay", action, detail: "" });

let dispose: (() => void) | undefined;
afterEach(() => dispose?.());

function start(telemetry: () => Telemetry, load: ReturnType<typeof controlledLoad>["load"]) {
  return createRoot((disposeRoot) => {
    dispose = disposeRoot;
    return createAuditEntries(telemetry, load);
  });
}

describe("createAuditEntries", () => {
  it("loads the newest week first, then a week more when asked", async () => {
    const { questions, load } = controlledLoad();
    const audit: AuditEntries = start(() => indexOf(9), load);

    await eventually(() => expect(questions).toHaveLength(1));
    expect(questions[0]?.days).toEqual([
      "2026-11-09",
      "2026-11-08",
      "2026-11-07",
      "2026-11-06",
      "2026-11-05",
      "2026-11-04",
      "2026-11-03",
    ]);
    expect(audit.loading()).toBe(true);
    expect(audit.hasOlder()).toBe(true);
    questions[0]?.answer([entry("a")]);
    await eventually(() => expect(audit.loading()).toBe(false));
    expect(audit.entries()).toEqual([entry("a")]);

    audit.showOlder();
    await eventually(() => expect(questions).toHaveLength(2));
    expect(questions[1]?.days).toHaveLength(9);
    expect(audit.hasOlder()).toBe(false);
  });

  it("asks again when the index gains a day, and drops the answer to the older question", async () => {
    const { questions, load } = controlledLoad();
    const [telemetry, setTelemetry] = createSignal(indexOf(2));
    const audit = start(telemetry, load);
    await eventually(() => expect(questions).toHaveLength(1));

    setTelemetry(indexOf(3));
    await eventually(() => expect(questions).toHaveLength(2));
    expect(questions[1]?.days).toEqual(["2026-11-03", "2026-11-02", "2026-11-01"]);
    questions[1]?.answer([entry("new")]);
    questions[0]?.answer([entry("stale")]);

    await eventually(() => expect(audit.entries()).toEqual([entry("new")]));
    await Promise.resolve();
    expect(audit.entries()).toEqual([entry("new")]);
  });
});
