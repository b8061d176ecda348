import type { IncomingMessage } from "node:http";

/** The token of an `Authorization: Bearer …` header, if the request has one. */
export function bearerToken(request: IncomingMessage): string | undefined {
  const header = request.headers.authorization ?? "";
  return header.startsWith("Bearer ") ? header.slice(7) : undefined;
}
