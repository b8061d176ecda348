import { isImmutableString } from "@automerge/automerge";
import {
  type AuditEntry,
  dayOf,
  STANDARD_METRICS,
  type Stored,
  silentLogger,
  toPlain,
  validateTelemetryDayDoc,
} from "@outpost/shared-model";
import { cleanupAfterEach } from "@outpost/shared-model/testing";
import { describe, expect, it } from "vitest";
import { memoryDevice } from "../testing/memory-device.js";
import { TelemetryDays } from "./telemetry-days.js";

const cleanup = cleanupAfterEach();
const DAY_1 = Date.parse("2026-11-20T23:59:50Z");
const DAY_2 = Date.parse("2026-11-21T00:00:00Z");

async function setUp() {
  const { repo, device, store, deviceId } = await memoryDevice(cleanup, "days", DAY_1);
  const options = {
    repo,
    device,
    store,
    deviceId,
    metrics: STANDARD_METRICS,
    intervalS: () => 10,
    logger: silentLogger,
    onOpened: () => {},
  };
  return { days: new TelemetryDays(options), reopen: () => new TelemetryDays(options) };
}

/** The actions of a day's audit, read as readers do (its strings are ImmutableStrings). */
const actions = (audit: Stored<AuditEntry>[] | undefined): string[] =>
  toPlain<AuditEntry[]>(audit ?? []).map((e) => e.action);

const entry = (at: number, action: string): AuditEntry => ({
  at,
  actor: "admin:alice",
  action,
  detail: action,
});

describe("TelemetryDays audit", () => {
  it("writes an entry into the day it happened, and never into a closed day", async () => {
    const { days } = await setUp();
    await days.append({ at: DAY_1, values: { cpu: 5 } });
    await days.audit(entry(DAY_1, "on-day-1"));
    await days.append({ at: DAY_2, values: { cpu: 6 } }); // closes day 1
    // A late entry stamped day 1 (a slow command, a clock behind): day 1's heads are final.
    await days.audit(entry(DAY_1 + 1, "late-for-day-1"));
    const day1 = await days.handle(dayOf(DAY_1));
    const day2 = await days.handle(dayOf(DAY_2));
    expect(actions(day1?.doc().audit)).toEqual(["on-day-1"]);
    expect(actions(day2?.doc().audit)).toEqual(["late-for-day-1"]);
  });

  it("stores an entry's strings as ImmutableStrings (one operation each), read back plain", async () => {
    const { days } = await setUp();
    const written = {
      ...entry(DAY_1, "command-deferred"),
      detail: "waits for its window ".repeat(5),
    };
    await days.append({ at: DAY_1, values: { cpu: 5 } });
    await days.audit(written);
    const doc = (await days.handle(dayOf(DAY_1)))?.doc();
    const stored = doc?.audit[0];
    expect(isImmutableString(stored?.detail) && isImmutableString(stored?.actor)).toBe(true);
    expect(validateTelemetryDayDoc(doc).value?.audit).toEqual([written]);
  });

  it("with no day open (just started), holds an entry for a closed day until the next sample", async () => {
    const { days, reopen } = await setUp();
    await days.append({ at: DAY_1, values: { cpu: 5 } });
    await days.close(dayOf(DAY_1));
    const restarted = reopen();
    await restarted.audit(entry(DAY_1 + 5, "late"));
    expect((await restarted.handle(dayOf(DAY_1)))?.doc().audit).toEqual([]);
    const { handle } = await restarted.append({ at: DAY_2, values: { cpu: 6 } });
    expect(actions(handle.doc().audit)).toEqual(["late"]);
  });
});
