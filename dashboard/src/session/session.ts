/**
 * The admin's session: which relay, which token, and what the relay said about it at sign-in
 * (who the token is, where the fleet document is). Kept in localStorage so the app opens signed
 * in, offline, after a reload.
 */
import type { AutomergeUrl } from "@automerge/automerge-repo/slim";
import { type FleetTrust, isAdminName, isPublicKeyText } from "@outpost/shared-model";
import { makeLogger } from "../ui/logger.js";

const log = makeLogger("session");

/** A signed-in admin. */
export interface Session {
  /** The relay's origin, e.g. `https://relay.example.com`. */
  relayUrl: string;
  token: string;
  /** The admin's name, as the relay knows it (`alice` for `admin:alice`). */
  admin: string;
  fleetDocUrl: AutomergeUrl;
  /** The relay's automerge-repo peer ID: only its durable acknowledgements count. */
  relayPeerId: string;
  signedInAt: number;
  /**
   * The fleet's root key and TrustDoc as the relay named them at sign-in, pinned for the session:
   * what the dashboard checks signatures and certificates against. Absent when the relay had no
   * root key yet (or predates signed commands).
   */
  trust?: FleetTrust;
}

/** The localStorage key of the session (tabs watch it to sign in and out together). */
export const SESSION_STORAGE_KEY = "outpost.session";

/** Sign-in failed; the message says why and what to do. */
export class SignInError extends Error {
  override name = "SignInError";
}

/** The stored session, or `undefined` (never signed in, signed out, or the entry is damaged). */
export function loadSession(storage: Storage = localStorage): Session | undefined {
  const text = storage.getItem(SESSION_STORAGE_KEY);
  if (text === null) return undefined;
  try {
    const value = JSON.parse(text) as Partial<Session>;
    if (
      typeof value.relayUrl === "string" &&
      typeof value.token === "string" &&
      isAdminName(value.admin) &&
      typeof value.fleetDocUrl === "string" &&
      value.fleetDocUrl.startsWith("automerge:") &&
      typeof value.relayPeerId === "string" &&
      typeof value.signedInAt === "number" &&
      (value.trust === undefined || isFleetTrust(value.trust))
    ) {
      return value as Session;
    }
  } catch {
    // damaged: as if signed out
  }
  log.warn(`ignored a damaged ${SESSION_STORAGE_KEY} entry in localStorage; sign in again`);
  return undefined;
}

/** Remembers the session for the next visit. */
export function saveSession(session: Session, storage: Storage = localStorage): void {
  storage.setItem(SESSION_STORAGE_KEY, JSON.stringify(session));
}

/** Forgets the session. */
export function clearSession(storage: Storage = localStorage): void {
  storage.removeItem(SESSION_STORAGE_KEY);
}

/** The relay's origin from what an admin typed: trims it, adds `https://` to a bare host. */
export function normalizeRelayUrl(typed: string): string {
  const trimmed = typed.trim().replace(/\/+$/, "");
  const withScheme = /^https?:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new SignInError(`"${typed}" is not a relay address; use e.g. https://relay.example.com`);
  }
  return url.origin;
}

/**
 * Asks the relay who `token` is (`GET /v1/session`). Only an admin token signs in: a device
 * token names a device, and the dashboard needs the fleet.
 *
 * @throws {SignInError} saying what went wrong: unreachable relay, refused token, device token.
 */
export async function signIn(
  relayUrlTyped: string,
  token: string,
  fetchImpl: typeof fetch = fetch,
): Promise<Session> {
  const relayUrl = normalizeRelayUrl(relayUrlTyped);
  if (token.trim() === "") throw new SignInError("enter the admin token the relay's CLI printed");
  let response: Response;
  try {
    response = await fetchImpl(`${relayUrl}/v1/session`, {
      headers: { authorization: `Bearer ${token.trim()}` },
    });
  } catch {
    throw new SignInError(
      `cannot reach the relay at ${relayUrl}; check the address and that this device is online`,
    );
  }
  const body = (await response.json().catch(() => ({}))) as {
    error?: string;
    principal?: string;
    fleetDocUrl?: string;
    relayPeerId?: string;
    trust?: unknown;
  };
  if (response.status === 401) {
    throw new SignInError(
      `the relay refused this token (${body.error ?? "401"}); ask for a new one`,
    );
  }
  if (!response.ok) {
    throw new SignInError(`the relay answered ${response.status}: ${body.error ?? "no details"}`);
  }
  const [kind, name] = (body.principal ?? "").split(":");
  if (kind !== "admin" || !isAdminName(name) || body.fleetDocUrl === undefined) {
    throw new SignInError(
      `this token belongs to ${body.principal ?? "someone unknown"}, not an admin; sign in with an admin token`,
    );
  }
  if (!body.fleetDocUrl.startsWith("automerge:") || typeof body.relayPeerId !== "string") {
    throw new SignInError("the relay's answer lacks the fleet document; is it an Outpost relay?");
  }
  return {
    relayUrl,
    token: token.trim(),
    admin: name,
    fleetDocUrl: body.fleetDocUrl as AutomergeUrl,
    relayPeerId: body.relayPeerId,
    signedInAt: Date.now(),
    ...(isFleetTrust(body.trust) ? { trust: body.trust } : {}),
  };
}

/**
 * The fleet's trust anchor as the relay names it now (`GET /v1/session`'s `trust`), for a session
 * from before the relay had one; `undefined` when it still has none or cannot be asked.
 */
export async function fetchTrust(
  session: Pick<Session, "relayUrl" | "token">,
  fetchImpl: typeof fetch = fetch,
): Promise<FleetTrust | undefined> {
  try {
    const response = await fetchImpl(`${session.relayUrl}/v1/session`, {
      headers: { authorization: `Bearer ${session.token}` },
    });
    if (!response.ok) return undefined;
    const body = (await response.json()) as { trust?: unknown };
    return isFleetTrust(body.trust) ? body.trust : undefined;
  } catch {
    return undefined;
  }
}

function isFleetTrust(value: unknown): value is FleetTrust {
  const trust = value as Partial<FleetTrust> | undefined;
  return (
    typeof trust === "object" &&
    trust !== null &&
    isPublicKeyText(trust.rootPublicKey) &&
    typeof trust.fleet === "string" &&
    typeof trust.trustDocUrl === "string" &&
    trust.trustDocUrl.startsWith("automerge:")
  );
}

/** Whether the relay still accepts the session's token (for a connection the browser refused). */
export async function checkToken(
  session: Pick<Session, "relayUrl" | "token">,
  fetchImpl: typeof fetch = fetch,
): Promise<"valid" | "refused" | "unknown"> {
  try {
    const response = await fetchImpl(`${session.relayUrl}/v1/session`, {
      headers: { authorization: `Bearer ${session.token}` },
    });
    if (response.status === 401) return "refused";
    return response.ok ? "valid" : "unknown";
  } catch {
    return "unknown";
  }
}

/** The sync endpoint's websocket URL for a session. */
export function syncUrl(session: Pick<Session, "relayUrl" | "token">): string {
  const url = new URL("/sync", session.relayUrl);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  url.searchParams.set("token", session.token);
  return url.toString();
}
