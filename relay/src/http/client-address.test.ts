import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { InvalidTrustedProxy, TrustedProxies } from "./client-address.js";
import { rateLimitKeyOf } from "./enrollment-limits.js";

/** Just what TrustedProxies reads of a request: the socket's peer and the header. */
function requestFrom(peer: string, forwardedFor?: string | string[]): IncomingMessage {
  const headers = forwardedFor === undefined ? {} : { "x-forwarded-for": forwardedFor };
  return { socket: { remoteAddress: peer }, headers } as unknown as IncomingMessage;
}

describe("TrustedProxies", () => {
  const proxies = new TrustedProxies(["10.0.0.0/8", "::ffff:192.168.1.1", "fd00::/8"]);

  it("believes X-Forwarded-For only from a trusted peer", () => {
    expect(proxies.clientAddressOf(requestFrom("203.0.113.1", "198.51.100.1"))).toBe("203.0.113.1");
    expect(proxies.clientAddressOf(requestFrom("10.2.3.4", "198.51.100.1"))).toBe("198.51.100.1");
  });

  it("matches IPv4-mapped IPv6 both ways, and IPv6 ranges", () => {
    expect(proxies.trusts("192.168.1.1")).toBe(true);
    expect(proxies.trusts("::ffff:10.9.9.9")).toBe(true);
    expect(proxies.trusts("fd12:3456::1")).toBe(true);
    expect(proxies.trusts("fe80::1")).toBe(false);
  });

  it("walks the chain from the right past trusted hops, over repeated headers and ports", () => {
    const request = requestFrom("::ffff:10.0.0.1", ["192.0.2.66, 198.51.100.7:5123", "fd00::2"]);
    expect(proxies.clientAddressOf(request)).toBe("198.51.100.7");
    expect(proxies.clientAddressOf(requestFrom("10.0.0.1", "[2001:db8::5]:443"))).toBe(
      "2001:db8::5",
    );
    // Only proxies all the way: the furthest one is the best answer.
    expect(proxies.clientAddressOf(requestFrom("10.0.0.1", "10.0.0.2, 10.0.0.3"))).toBe("10.0.0.2");
    // Not an address: the chain cannot be believed past it.
    expect(proxies.clientAddressOf(requestFrom("10.0.0.1", "198.51.100.7, unknown"))).toBe(
      "10.0.0.1",
    );
  });

  it("names the key, the index and the value of a bad entry", () => {
    expect(() => new TrustedProxies(["10.0.0.1", "10.0.0.0/33"])).toThrow(
      new InvalidTrustedProxy(
        "trusted_proxies[1]",
        "10.0.0.0/33",
        "the prefix length must be 0..32",
      ),
    );
    expect(() => new TrustedProxies(["fd00::/129"])).toThrow(/prefix length must be 0\.\.128/);
    expect(() => new TrustedProxies(["localhost"])).toThrow(/"localhost" is not an IPv4 or IPv6/);
  });
});

describe("rateLimitKeyOf", () => {
  it("keys IPv4 by address, IPv4-mapped as IPv4 and IPv6 by its /64", () => {
    expect(rateLimitKeyOf("198.51.100.7")).toBe("198.51.100.7");
    expect(rateLimitKeyOf("::FFFF:198.51.100.7")).toBe("198.51.100.7");
    expect(rateLimitKeyOf("2001:db8:0:1::5")).toBe("2001:db8:0:1::/64");
    expect(rateLimitKeyOf("2001:0db8:0000:0001:ffff:0:0:1%eth0")).toBe("2001:db8:0:1::/64");
    expect(rateLimitKeyOf("::1")).toBe("0:0:0:0::/64");
    expect(rateLimitKeyOf("64:ff9b::192.0.2.1")).toBe("64:ff9b:0:0::/64");
  });
});
