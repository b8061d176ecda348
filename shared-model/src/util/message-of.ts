/**
 * The message of a caught value. `catch` gives `unknown`: usually an `Error`, but an error from
 * another realm, a plain `{ message }` object or a `throw "text"` can arrive too, and an error
 * message must never read "undefined".
 */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === "object" && error !== null && "message" in error) {
    const { message } = error;
    if (typeof message === "string") return message;
  }
  return String(error);
}
