import type { IncomingMessage } from "node:http";
import type { TrustedProxies } from "./client-address.js";

/**
 * The relay's address as the client of `request` reached it, for install commands: `public_url`
 * from the config when set, else the request's `Host` with the scheme the client used (HTTPS when
 * the relay serves TLS, or when a trusted proxy says `X-Forwarded-Proto: https`). `undefined` when
 * the `Host` header is not a plain host name (set `public_url` then).
 */
export function relayUrlFor(
  request: IncomingMessage,
  options: { publicUrl: string | undefined; secure: boolean; trustedProxies: TrustedProxies },
): string | undefined {
  if (options.publicUrl !== undefined) return options.publicUrl.replace(/\/+$/, "");
  const host = request.headers.host ?? "";
  if (!/^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(host)) return undefined;
  const peer = request.socket.remoteAddress;
  const forwarded = request.headers["x-forwarded-proto"];
  const proxiedHttps =
    peer !== undefined &&
    options.trustedProxies.trusts(peer) &&
    typeof forwarded === "string" &&
    forwarded.split(",")[0]?.trim().toLowerCase() === "https";
  return `${options.secure || proxiedHttps ? "https" : "http"}://${host}`;
}
