/**
 * A command line that cannot work as given. Every Outpost CLI catches it, prints its message and
 * the usage text, and exits with its bad-input code; so the message says what to type instead.
 */
export class UsageError extends Error {
  override name = "UsageError";
}
