/**
 * Branded identifiers. A plain string becomes one only through its parser, so a `DeviceId` in a
 * signature is a promise that the value was checked once at the boundary.
 */

/** A device's identifier: 1–64 characters of letters, digits, `.`, `_` or `-`, starting alphanumeric. */
export type DeviceId = string & { readonly __deviceId: true };
/** A command's identifier, unique within a device document. */
export type CommandId = string & { readonly __commandId: true };
/** A command event's identifier, unique within its command. Intents are answered by it. */
export type EventId = string & { readonly __eventId: true };
/** A UTC calendar day, `YYYY-MM-DD`. */
export type Day = string & { readonly __day: true };

const DEVICE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const OPAQUE_ID = /^[A-Za-z0-9_-]{4,64}$/;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Thrown by the ID parsers; says which kind of ID was expected and what was received. */
export class InvalidId extends Error {
  constructor(
    readonly kind: "DeviceId" | "CommandId" | "EventId" | "Day",
    readonly received: unknown,
    readonly expected: string,
  ) {
    super(`invalid ${kind} ${JSON.stringify(received)}: expected ${expected}`);
    this.name = "InvalidId";
  }
}

/** Parses a device ID, throwing {@link InvalidId} with the rule it broke. */
export function parseDeviceId(value: unknown): DeviceId {
  if (typeof value === "string" && DEVICE_ID.test(value)) return value as DeviceId;
  throw new InvalidId("DeviceId", value, "1-64 of [A-Za-z0-9._-], starting with a letter or digit");
}

/** Parses a command ID (4–64 of `[A-Za-z0-9_-]`). */
export function parseCommandId(value: unknown): CommandId {
  if (typeof value === "string" && OPAQUE_ID.test(value)) return value as CommandId;
  throw new InvalidId("CommandId", value, "4-64 of [A-Za-z0-9_-]");
}

/** Parses a command event ID (4–64 of `[A-Za-z0-9_-]`). */
export function parseEventId(value: unknown): EventId {
  if (typeof value === "string" && OPAQUE_ID.test(value)) return value as EventId;
  throw new InvalidId("EventId", value, "4-64 of [A-Za-z0-9_-]");
}

/** Parses a UTC day `YYYY-MM-DD`, rejecting impossible dates such as `2026-02-30`. */
export function parseDay(value: unknown): Day {
  const match = typeof value === "string" ? DAY.exec(value) : null;
  if (match) {
    const [, year, month, day] = match.map(Number) as [number, number, number, number];
    const date = new Date(Date.UTC(year, month - 1, day));
    if (
      date.getUTCFullYear() === year &&
      date.getUTCMonth() === month - 1 &&
      date.getUTCDate() === day
    ) {
      return value as Day;
    }
  }
  throw new InvalidId("Day", value, "a real calendar day as YYYY-MM-DD");
}

/** True when `value` is a well-formed ID of that kind; the non-throwing form of the parsers. */
export function isCommandId(value: unknown): value is CommandId {
  return typeof value === "string" && OPAQUE_ID.test(value);
}

/** True when `value` is a well-formed device ID. */
export function isDeviceId(value: unknown): value is DeviceId {
  return typeof value === "string" && DEVICE_ID.test(value);
}

/** True when `value` is a real calendar day `YYYY-MM-DD`. */
export function isDay(value: unknown): value is Day {
  try {
    parseDay(value);
    return true;
  } catch {
    return false;
  }
}

/** A fresh random command ID (`cmd-` and 32 hex digits, 122 random bits). */
export function newCommandId(): CommandId {
  return `cmd-${globalThis.crypto.randomUUID().replaceAll("-", "")}` as CommandId;
}

/** A fresh random event ID (`ev-` and 32 hex digits). */
export function newEventId(): EventId {
  return `ev-${globalThis.crypto.randomUUID().replaceAll("-", "")}` as EventId;
}

/** The UTC day an epoch-milliseconds instant falls on. */
export function dayOf(epochMs: number): Day {
  return new Date(epochMs).toISOString().slice(0, 10) as Day;
}

/** Epoch milliseconds of 00:00:00 UTC on `day`. */
export function startOfDay(day: Day): number {
  return Date.parse(`${day}T00:00:00.000Z`);
}
