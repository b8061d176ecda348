import type { FleetTrust } from "@outpost/shared-model";
import { messageOf } from "@outpost/shared-model";
import { RelayUnreachable } from "./enroll.js";
import { parseFleetTrust } from "./fleet-trust.js";
import { requestRelay } from "./relay-request.js";

/** The relay answered `GET /v1/session` with an error (a revoked token, say). */
export class SessionRefused extends Error {
  override name = "SessionRefused";
}

/**
 * The fleet's trust anchor as the relay's `GET /v1/session` gives it to this device's token, or
 * `undefined` when the relay gives none (older than signed commands). For a device enrolled before
 * it pinned a root; what it returns is to be checked with `checkFleetTrust` before it is pinned.
 *
 * @throws RelayUnreachable when there is no answer; SessionRefused for an error status;
 *   RootKeyRefused for a malformed anchor
 */
export async function fetchSessionTrust(
  relayUrl: string,
  deviceToken: string,
): Promise<FleetTrust | undefined> {
  let answer: { status: number; text: string };
  try {
    answer = await requestRelay(new URL("/v1/session", relayUrl), {
      method: "GET",
      headers: { authorization: `Bearer ${deviceToken}` },
    });
  } catch (error) {
    const detail = (error as NodeJS.ErrnoException).code ?? messageOf(error);
    throw new RelayUnreachable(relayUrl, detail, { cause: error });
  }
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    body = undefined;
  }
  if (answer.status !== 200 || typeof body !== "object" || body === null) {
    const said = (body as { error?: unknown } | undefined)?.error ?? answer.text.slice(0, 200);
    throw new SessionRefused(
      `the relay at ${relayUrl} answered its session with HTTP ${answer.status}: ${String(said)}`,
    );
  }
  const trust = (body as { trust?: unknown }).trust;
  return trust === undefined ? undefined : parseFleetTrust(trust, `the session of ${relayUrl}`);
}
