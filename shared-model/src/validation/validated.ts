import type { z } from "zod";
import type { InvalidField } from "./invalid-field.js";
import { parseOrProblems } from "./zod-issues.js";

/**
 * A document read from untrusted input: the usable part (`null` when even its identity is broken)
 * and every problem found, each naming its path. Validators never throw.
 */
export interface Validated<T> {
  value: T | null;
  problems: InvalidField[];
}

/** Validates each field of an object on its own, replacing a bad one with its default. */
export function fieldsWithDefaults<T extends object>(
  input: unknown,
  shape: { [K in keyof T]: z.ZodType<T[K]> },
  defaults: T,
  path: string,
  problems: InvalidField[],
): T {
  const source = isRecord(input) ? input : {};
  const result = structuredClone(defaults);
  for (const key of Object.keys(shape) as (keyof T & string)[]) {
    const parsed = parseOrProblems(shape[key], source[key], `${path}.${key}`);
    // An optional field that is absent stays absent (Automerge refuses `undefined` values).
    if (parsed.ok) {
      if (parsed.value !== undefined) result[key] = parsed.value;
    } else problems.push(...parsed.problems);
  }
  return result;
}

/** Validates each entry of a map on its own and keeps the good ones. */
export function validEntries<T>(
  input: unknown,
  validateEntry: (key: string, value: unknown, path: string) => T | undefined,
  path: string,
): Record<string, T> {
  const entries: Record<string, T> = {};
  if (!isRecord(input)) return entries;
  for (const [key, value] of Object.entries(input)) {
    const valid = validateEntry(key, value, `${path}.${key}`);
    if (valid !== undefined) entries[key] = valid;
  }
  return entries;
}

/** True for a non-null, non-array object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
