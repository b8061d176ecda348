/**
 * Test support: the relay's admin HTTP routes as a dashboard or a script calls them, with the admin
 * token in `Authorization: Bearer`.
 */
import type { RelayErrorBody } from "@outpost/shared-model";

/** What the relay answered: the status and the parsed JSON body. */
export interface AdminAnswer<T> {
  status: number;
  body: T & RelayErrorBody;
}

/** Calls `method path` on the relay at `relayUrl` with `token` (none when `undefined`). */
export async function adminCall<T = Record<string, unknown>>(
  relayUrl: string,
  token: string | undefined,
  method: "GET" | "POST",
  path: string,
  body?: unknown,
): Promise<AdminAnswer<T>> {
  const response = await fetch(`${relayUrl}${path}`, {
    method,
    headers: {
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as T & RelayErrorBody };
}
