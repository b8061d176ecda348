/**
 * Headers that keep the dashboard in its own hands even if something hostile ends up in a page
 * (a device's hostname, say: everything a device writes is hostile input, ARCHITECTURE.md): no
 * framing, no MIME sniffing, no Referer (the sign-in link carries a token), and a strict
 * Content-Security-Policy.
 */
const FIXED_HEADERS = {
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
} as const;

/** A `Host` header that is a plain host name or address with an optional port, nothing else. */
const PLAIN_HOST = /^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * The Content-Security-Policy for the dashboard served at `host` (the request's `Host`).
 *
 * It fits the production build (checked in Chromium by
 * test/browser/content-security-policy.test.ts): Vite emits no inline script or style, Solid's
 * templates carry no `style` attribute, and Solid and uPlot set styles through the CSSOM
 * (`element.style`), which style-src does not govern. So:
 * - `script-src 'self' 'wasm-unsafe-eval'`: the app's own modules, and compiling Automerge's
 *   WebAssembly, which a policy with script-src otherwise forbids. No `'unsafe-inline'`, no eval.
 * - `style-src 'self'`: the one stylesheet.
 * - `img-src 'self' data:`: the empty `data:,` favicon of index.html; charts are canvases.
 * - `connect-src`: this relay only, over HTTP(S) (`/v1/session`) and its websocket. `'self'`
 *   covers ws/wss in CSP 3, but not in every browser, so the websocket origins are spelled out.
 * - `worker-src 'self'`: the service worker. Everything else (`default-src`) is refused.
 */
export function contentSecurityPolicy(host: string | undefined): string {
  // Behind a TLS proxy the relay speaks HTTP while the page is HTTPS: allow both schemes of the
  // same host (a browser refuses ws: from an https: page anyway).
  const websocket =
    host !== undefined && PLAIN_HOST.test(host) ? ` ws://${host} wss://${host}` : "";
  return [
    "default-src 'none'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self'${websocket}`,
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** Every header above, for a response to a request that named `host`. */
export function securityHeaders(host: string | undefined): Record<string, string> {
  return { "content-security-policy": contentSecurityPolicy(host), ...FIXED_HEADERS };
}
