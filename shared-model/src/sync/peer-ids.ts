/**
 * Who is on the other end of a sync connection. The relay authenticates a token, then binds the
 * principal to the peer ID the client announces: a peer ID must name its principal, so one
 * principal can never speak as another.
 */
import type { DeviceId } from "../ids/ids.js";
import { isDeviceId } from "../ids/ids.js";

/** An authenticated identity: an admin by name, or an enrolled device. */
export type Principal = { kind: "admin"; name: string } | { kind: "device"; deviceId: DeviceId };

const ADMIN_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const SESSION = /^[A-Za-z0-9_-]{1,64}$/;

/** True for an admin name: 1-64 of lowercase letters, digits, `.`, `_`, `-`. */
export function isAdminName(value: unknown): value is string {
  return typeof value === "string" && ADMIN_NAME.test(value);
}

/** A principal as text, for logs and errors: `admin:alice`, `device:laptop-042`. */
export function describePrincipal(principal: Principal): string {
  return principal.kind === "admin" ? `admin:${principal.name}` : `device:${principal.deviceId}`;
}

/**
 * The peer ID a client of `principal` must use: `<principal>:<session>`, where the session tells
 * apart several tabs or processes of the same principal.
 */
export function peerIdFor(principal: Principal, session: string): string {
  if (!SESSION.test(session)) throw new Error(`invalid peer session ${JSON.stringify(session)}`);
  return `${describePrincipal(principal)}:${session}`;
}

/** The principal a peer ID claims, or `undefined` when it is not of the form `peerIdFor` makes. */
export function principalOfPeerId(peerId: string): Principal | undefined {
  const [kind, name, session, ...rest] = peerId.split(":");
  if (rest.length > 0 || session === undefined || !SESSION.test(session)) return undefined;
  if (kind === "admin" && isAdminName(name)) return { kind, name };
  if (kind === "device" && isDeviceId(name)) return { kind, deviceId: name };
  return undefined;
}

/** True when two principals are the same identity. */
export function samePrincipal(a: Principal, b: Principal): boolean {
  return describePrincipal(a) === describePrincipal(b);
}
