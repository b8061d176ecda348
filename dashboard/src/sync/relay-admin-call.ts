import { messageOf, relayErrorText } from "@outpost/shared-model";
import type { Session } from "../session/session.js";

/** The relay answered with a refusal; the message is the relay's own words. */
export class RelayRefused extends Error {
  override name = "RelayRefused";

  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The relay could not be asked (offline, down, or an answer that was not what it should be). */
export class RelayUnreachable extends Error {
  override name = "RelayUnreachable";
}

/** One call of the relay's admin HTTP: its parsed JSON answer, or a typed failure. */
export type RelayAdminCall = (
  method: "GET" | "POST",
  path: string,
  body?: unknown,
) => Promise<unknown>;

/**
 * Calls the relay's admin HTTP routes as the signed-in admin: the token in `Authorization`
 * (never in the URL, which proxies log), a JSON body when there is one.
 *
 * @throws RelayRefused with the relay's words for a non-2xx answer
 * @throws RelayUnreachable when the relay cannot be reached
 */
export function makeRelayAdminCall(
  session: Pick<Session, "relayUrl" | "token">,
  fetchImpl: typeof fetch = (input, init) => fetch(input, init),
): RelayAdminCall {
  return async (method, path, body) => {
    const url = `${session.relayUrl}${path}`;
    let response: Response;
    try {
      response = await fetchImpl(url, {
        method,
        headers: {
          authorization: `Bearer ${session.token}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (failure) {
      throw new RelayUnreachable(`cannot reach the relay at ${session.relayUrl}`, {
        cause: failure,
      });
    }
    const answer: unknown = await response.json().catch(() => undefined);
    if (!response.ok)
      throw new RelayRefused(response.status, relayErrorText(answer, response.status));
    return answer;
  };
}

/**
 * `read(answer)`, or, when the answer is not what the route gives, a {@link RelayUnreachable}
 * that says which route and what was wrong (a relay of another version, a proxy's page).
 */
export function readAnswer<T>(route: string, what: string, read: () => T): T {
  try {
    return read();
  } catch (failure) {
    throw new RelayUnreachable(
      `the relay's answer to ${route} is not ${what}: ${messageOf(failure)}`,
    );
  }
}
