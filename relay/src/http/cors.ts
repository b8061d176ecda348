import type { ServerResponse } from "node:http";

/**
 * Cross-origin headers of the routes a dashboard calls with an admin or device token
 * (`/v1/session`, `/v1/admin-keys`, the device routes). A dashboard may be served from another
 * origin than the relay it talks to (Vite's dev server, a second relay, a file on an admin's
 * laptop). Any origin may ask: the token travels in `Authorization`, never in a cookie, so a page
 * on another origin learns nothing it was not given the token for.
 */
export const CROSS_ORIGIN_HEADERS: Readonly<Record<string, string>> = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, POST, OPTIONS",
  "access-control-allow-headers": "authorization, content-type",
};

/** How long a browser may reuse a preflight's answer, in seconds. */
const PREFLIGHT_MAX_AGE_S = 600;

/**
 * Puts {@link CROSS_ORIGIN_HEADERS} on whatever `response` answers next, refusals included: a
 * browser hides a 401 without them, and the page could only say "network error".
 */
export function allowCrossOrigin(response: ServerResponse): void {
  for (const [name, value] of Object.entries(CROSS_ORIGIN_HEADERS)) response.setHeader(name, value);
}

/**
 * Answers a browser's preflight (`OPTIONS`) with 204 and the headers. A preflight carries no
 * token, so it is answered before any authentication.
 */
export function answerPreflight(response: ServerResponse): void {
  response.writeHead(204, {
    ...CROSS_ORIGIN_HEADERS,
    "access-control-max-age": String(PREFLIGHT_MAX_AGE_S),
  });
  response.end();
}
