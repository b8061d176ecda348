import { existsSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "@outpost/shared-model";
import { describePrincipal } from "@outpost/shared-model";
import sirv from "sirv";
import type { RelayMetrics } from "../metrics/relay-metrics.js";
import type { AgentBundle } from "../onboarding/agent-bundle.js";
import type { PrincipalStore } from "../state/principal-store.js";
import type { TrustDocument } from "../state/trust-document.js";
import { ADMIN_KEYS_PATH, handleAdminKeys } from "./admin-key-routes.js";
import { routeAgentInstall } from "./agent-install-routes.js";
import { bearerToken } from "./bearer-token.js";
import { allowCrossOrigin, answerPreflight } from "./cors.js";
import { type DeviceRouteDependencies, routeDeviceAdministration } from "./device-routes.js";
import type { EnrollDependencies } from "./enroll-handler.js";
import { handleEnroll } from "./enroll-handler.js";
import { sendError, sendJson } from "./responses.js";
import { securityHeaders } from "./security-headers.js";
import { SYNC_PATH } from "./upgrade-handler.js";

/** What the HTTP routes need. */
export interface RouteDependencies {
  enroll: EnrollDependencies;
  principals: PrincipalStore;
  /** The fleet's root and TrustDoc: `/v1/session` hands them out, `/v1/admin-keys` writes it. */
  trust: Pick<TrustDocument, "fleetTrust" | "settled">;
  /** Admin routes about devices, pending re-enrollments and enrollment tokens. */
  devices: DeviceRouteDependencies;
  /** Install scripts and the agent archive for new devices. */
  agentInstall: { bundle: AgentBundle; scriptsDirectory: string };
  metrics: RelayMetrics;
  health: () => Record<string, unknown>;
  fleetDocUrl: string;
  relayPeerId: string;
  dashboardDirectory?: string;
  logger: Logger;
}

/**
 * The relay's HTTP surface: enrollment, session, device administration, agent downloads, health,
 * metrics and the dashboard's static files.
 * Data never travels here: documents sync over the websocket only (ARCHITECTURE.md, "How the parts
 * sync").
 */
export function makeRequestHandler(
  deps: RouteDependencies,
): (request: IncomingMessage, response: ServerResponse) => void {
  const dashboard =
    deps.dashboardDirectory !== undefined && existsSync(deps.dashboardDirectory)
      ? sirv(deps.dashboardDirectory, { single: true, etag: true, gzip: true, brotli: true })
      : undefined;
  return (request, response) => {
    // On every answer, not only the dashboard's: a JSON error page must not be framed or sniffed
    // into HTML either.
    for (const [name, value] of Object.entries(securityHeaders(request.headers.host)))
      response.setHeader(name, value);
    route(request, response, deps, dashboard).catch((error: unknown) => {
      // The path only: a query string may hold a token (`/v1/session?token=…`).
      const path = (request.url ?? "").split("?")[0];
      deps.logger.error({ err: error, path }, `request ${request.method} ${path} failed`);
      if (!response.headersSent)
        sendError(response, 500, { error: "internal error; see the relay log" });
      else response.destroy();
    });
  };
}

async function route(
  request: IncomingMessage,
  response: ServerResponse,
  deps: RouteDependencies,
  dashboard: ReturnType<typeof sirv> | undefined,
): Promise<void> {
  const url = new URL(request.url ?? "/", "http://relay");
  const method = request.method ?? "GET";
  if (url.pathname === "/healthz" && method === "GET")
    return sendJson(response, 200, { status: "ok", ...deps.health() });
  if (url.pathname === "/metrics" && method === "GET") {
    response.writeHead(200, { "content-type": deps.metrics.registry.contentType });
    response.end(await deps.metrics.registry.metrics());
    return;
  }
  if (url.pathname === "/v1/enroll") {
    if (method !== "POST") return sendError(response, 405, { error: "use POST /v1/enroll" });
    return handleEnroll(request, response, deps.enroll);
  }
  if (await routeDeviceAdministration(request, response, url, deps.devices)) return;
  if (await routeAgentInstall(request, response, url, deps.agentInstall)) return;
  if (url.pathname === "/v1/session" && method === "OPTIONS") return answerPreflight(response);
  if (url.pathname === "/v1/session" && method === "GET")
    return session(request, url, response, deps);
  if (url.pathname === ADMIN_KEYS_PATH || url.pathname.startsWith(`${ADMIN_KEYS_PATH}/`))
    return handleAdminKeys(request, response, url.pathname, deps);
  if (url.pathname === SYNC_PATH)
    return sendError(response, 426, { error: `${SYNC_PATH} is a websocket endpoint` });
  if (dashboard !== undefined && (method === "GET" || method === "HEAD")) {
    dashboard(request, response, () =>
      sendError(response, 404, { error: `nothing at ${url.pathname}` }),
    );
    return;
  }
  sendError(response, 404, { error: `nothing at ${method} ${url.pathname}` });
}

/**
 * Who the bearer of a token is, and for admins where the fleet is: what a dashboard signs in with.
 * A dashboard served from elsewhere (a second relay, a file on an admin's laptop) may ask: the
 * answer says nothing without the token, so any origin may.
 */
function session(
  request: IncomingMessage,
  url: URL,
  response: ServerResponse,
  deps: RouteDependencies,
): void {
  allowCrossOrigin(response);
  const token = bearerToken(request) ?? url.searchParams.get("token");
  const principal = token ? deps.principals.authenticate(token) : undefined;
  if (principal === undefined) {
    sendJson(response, 401, { error: token ? "invalid or revoked token" : "missing token" });
    return;
  }
  const trust = deps.trust.fleetTrust();
  sendJson(response, 200, {
    principal: describePrincipal(principal),
    ...(trust === undefined ? {} : { trust }),
    relayPeerId: deps.relayPeerId,
    syncPath: SYNC_PATH,
    ...(principal.kind === "admin" ? { fleetDocUrl: deps.fleetDocUrl } : {}),
  });
}
