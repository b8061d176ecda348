import type { IncomingMessage } from "node:http";
import { BlockList, isIP } from "node:net";

/** Finds the address of the client behind a request, for rate limits and logs. */
export type ClientAddressOf = (request: IncomingMessage) => string;

/** A `trusted_proxies` entry that is neither an IP address nor a CIDR range; names both. */
export class InvalidTrustedProxy extends Error {
  override name = "InvalidTrustedProxy";

  constructor(
    readonly key: string,
    readonly received: string,
    problem: string,
  ) {
    super(
      `${key}: ${JSON.stringify(received)} is not an IP address or CIDR range (${problem}); ` +
        "expected e.g. 10.0.0.1, 10.0.0.0/8, fd00::/8 or ::ffff:127.0.0.1",
    );
  }
}

/** What is wrong with one `trusted_proxies` entry, or undefined when it is an address or range. */
export function trustedProxyProblem(entry: string): string | undefined {
  const [address = "", prefix, extra] = entry.split("/");
  const family = isIP(address);
  if (family === 0) return `${JSON.stringify(address)} is not an IPv4 or IPv6 address`;
  if (address.includes("%")) return "a zone index (%…) cannot be matched";
  if (extra !== undefined) return "more than one /";
  if (prefix === undefined) return undefined;
  const bits = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > bits)
    return `the prefix length must be 0..${bits}`;
  return undefined;
}

/**
 * The proxies whose `X-Forwarded-For` the relay believes (`trusted_proxies`). Behind a TLS proxy
 * every socket comes from the proxy; the client is then the right-most `X-Forwarded-For` entry
 * that is not itself a trusted proxy (each proxy appends the peer it saw, so entries to the left of
 * the first untrusted one were written by the client and may be forged). From any other peer the
 * header is ignored: anyone can send it.
 */
export class TrustedProxies {
  readonly #list = new BlockList();
  readonly #count: number;

  /** @throws InvalidTrustedProxy for the first entry that is not an address or CIDR range. */
  constructor(entries: readonly string[], key = "trusted_proxies") {
    entries.forEach((entry, index) => {
      const problem = trustedProxyProblem(entry);
      if (problem !== undefined) throw new InvalidTrustedProxy(`${key}[${index}]`, entry, problem);
      const [address = "", prefix] = entry.split("/");
      const type = isIP(address) === 4 ? "ipv4" : "ipv6";
      if (prefix === undefined) this.#list.addAddress(address, type);
      else this.#list.addSubnet(address, Number(prefix), type);
    });
    this.#count = entries.length;
  }

  /** True when `address` is a trusted proxy (IPv4-mapped IPv6 matches its IPv4 form). */
  trusts(address: string): boolean {
    const family = isIP(address);
    if (this.#count === 0 || family === 0) return false;
    return this.#list.check(address, family === 4 ? "ipv4" : "ipv6");
  }

  /** The client's address for `request`: the socket's peer unless that peer is a trusted proxy. */
  readonly clientAddressOf: ClientAddressOf = (request) => {
    const peer = request.socket.remoteAddress;
    if (peer === undefined) return "unknown";
    if (!this.trusts(peer)) return peer;
    const header = request.headers["x-forwarded-for"];
    const hops = (Array.isArray(header) ? header.join(",") : (header ?? "")).split(",");
    let client = peer;
    for (let index = hops.length - 1; index >= 0; index -= 1) {
      const hop = hopAddress(hops[index] ?? "");
      // A hop that is not an address ends the chain we can believe: the nearest trusted hop
      // is the best answer left.
      if (hop === undefined) break;
      client = hop;
      if (!this.trusts(hop)) break;
    }
    return client;
  };
}

/** One `X-Forwarded-For` entry as an address: some proxies add a port (`1.2.3.4:5678`, `[::1]:80`). */
function hopAddress(entry: string): string | undefined {
  const text = entry.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(text);
  const withPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(text);
  const address = bracketed?.[1] ?? withPort?.[1] ?? text;
  return isIP(address) === 0 ? undefined : address;
}
