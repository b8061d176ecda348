import type { z } from "zod";
import { InvalidField } from "./invalid-field.js";

/** Dotted path of `segments` under `base`: `commands.c1.events.3.type`. */
export function joinPath(base: string, segments: readonly PropertyKey[]): string {
  return [base, ...segments.map(String)].filter((part) => part !== "").join(".");
}

/** The value at `segments` inside `root`, for telling the reader what was actually there. */
function valueAt(root: unknown, segments: readonly PropertyKey[]): unknown {
  let current = root;
  for (const segment of segments) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

/** "Invalid input: expected int, received number" → "int"; other messages stay whole. */
function expectedOf(issue: z.core.$ZodIssue): string {
  const match = /expected (.+?)(?:, received .*)?$/.exec(issue.message);
  return match?.[1] ?? issue.message;
}

/** Turns zod's issues for `input` into {@link InvalidField}s rooted at `basePath`. */
export function toInvalidFields(
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
  basePath: string,
): InvalidField[] {
  return issues.map(
    (issue) =>
      new InvalidField(
        joinPath(basePath, issue.path),
        expectedOf(issue),
        valueAt(input, issue.path),
      ),
  );
}

/** Parses `input`; on failure returns the problems instead of throwing. */
export function parseOrProblems<T>(
  schema: z.ZodType<T>,
  input: unknown,
  basePath: string,
): { ok: true; value: T } | { ok: false; problems: InvalidField[] } {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, problems: toInvalidFields(result.error.issues, input, basePath) };
}

/** Parses `input`; on failure adds the problems to `problems` and returns `undefined`. */
export function parseRecording<T>(
  schema: z.ZodType<T>,
  input: unknown,
  path: string,
  problems: InvalidField[],
): T | undefined {
  const result = parseOrProblems(schema, input, path);
  if (result.ok) return result.value;
  problems.push(...result.problems);
  return undefined;
}

/** Records a problem for a map key that fails `isValid`; true when the key is fine. */
export function checkKey(
  isValid: (key: string) => boolean,
  key: string,
  path: string,
  expected: string,
  problems: InvalidField[],
): boolean {
  if (isValid(key)) return true;
  problems.push(new InvalidField(path, expected, key));
  return false;
}
