import http from "node:http";

/** Loopback source addresses the agents' sockets are spread over (127.0.0.2 and up). */
export const SOURCE_ADDRESSES = 32;

/**
 * Spreads the websocket client's connections to `host` over source addresses 127.0.0.2 to
 * 127.0.0.(1 + `count`), round robin. Linux routes all of 127/8 to the loopback, and each source
 * address has its own ephemeral ports (about 28,000 by default): from 127.0.0.1 alone, 10,000
 * agents whose stock client opens a new socket every 5 s while the last one still connects ran
 * out of ports (`EADDRNOTAVAIL`). The stock `WebSocketClientAdapter` takes no socket options,
 * so this wraps `http.request`, which `ws` calls for every client connection and whose options
 * it hands to `net.connect`. Elsewhere than Linux only 127.0.0.1 answers: nothing is changed.
 */
export function spreadSourceAddresses(host: string, count = SOURCE_ADDRESSES): void {
  if (process.platform !== "linux" || count < 1) return;
  const request = http.request;
  let next = 0;
  const spread = (options: http.RequestOptions | string | URL, ...rest: unknown[]) => {
    if (
      typeof options === "object" &&
      !(options instanceof URL) &&
      options.host === host &&
      options.localAddress === undefined
    ) {
      options.localAddress = `127.0.0.${2 + (next % count)}`;
      next += 1;
    }
    return (request as (...args: unknown[]) => http.ClientRequest)(options, ...rest);
  };
  http.request = spread as typeof http.request;
}
