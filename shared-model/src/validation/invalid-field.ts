/**
 * One problem found in a document or an input: where (a dotted path from the document root),
 * what was expected, and what was there instead.
 */
export class InvalidField extends Error {
  constructor(
    readonly path: string,
    readonly expected: string,
    readonly received: unknown,
  ) {
    super(`${path || "(document)"}: expected ${expected}, received ${describe(received)}`);
    this.name = "InvalidField";
  }
}

/** Thrown by the `check*` functions on local input: carries every problem found, not just the first. */
export class ValidationFailed extends Error {
  constructor(
    readonly subject: string,
    readonly problems: readonly InvalidField[],
  ) {
    super(`invalid ${subject}: ${problems.map((problem) => problem.message).join("; ")}`);
    this.name = "ValidationFailed";
  }
}

/** A short, bounded rendering of a received value for an error message. */
function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
