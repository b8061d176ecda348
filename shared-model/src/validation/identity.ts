import { InvalidField } from "./invalid-field.js";
import { isRecord } from "./validated.js";

/**
 * Checks what every document must have before anything else can be trusted: an object with the
 * schema version this code understands. Records the problem and returns false otherwise.
 */
export function checkIdentity(
  input: unknown,
  documentType: string,
  schema: number,
  problems: InvalidField[],
  readable: readonly number[] = [schema],
): input is Record<string, unknown> {
  if (!isRecord(input)) {
    problems.push(new InvalidField("", `a ${documentType} object`, input));
    return false;
  }
  if (readable.includes(input.schema as number)) return true;
  const newer = typeof input.schema === "number" && input.schema > schema;
  const expected = newer
    ? `schema ${schema}; this document was written by a newer Outpost, upgrade this one`
    : `schema ${schema} (a ${documentType})`;
  problems.push(new InvalidField("schema", expected, input.schema));
  return false;
}
