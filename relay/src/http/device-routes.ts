import type { IncomingMessage, ServerResponse } from "node:http";
import type { DeviceId, EnrollmentTokenSummary, Logger } from "@outpost/shared-model";
import { isDeviceId } from "@outpost/shared-model";
import { z } from "zod";
import type { RelayMetrics } from "../metrics/relay-metrics.js";
import { issueEnrollmentToken } from "../onboarding/issue-enrollment-token.js";
import { type DeviceLifecycle, DeviceLifecycleError } from "../state/device-lifecycle.js";
import { EnrollmentTokenLifetimeError, MAX_TOKEN_TTL_MS } from "../state/enrollment-tokens.js";
import { PendingEnrollmentError } from "../state/pending-enrollments.js";
import type { PrincipalStore } from "../state/principal-store.js";
import { requireAdmin } from "./admin-auth.js";
import { allowCrossOrigin, answerPreflight } from "./cors.js";
import { BodyError, readJsonBody, sendError, sendJson } from "./responses.js";

/** What the admin routes about devices need. */
export interface DeviceRouteDependencies {
  principals: PrincipalStore;
  lifecycle: DeviceLifecycle;
  /** Writes a revocation or removal into the FleetDoc now, so the answer comes after it. */
  markFleet(deviceId: DeviceId): Promise<void>;
  /** The relay's address for install commands (see relayUrlFor). */
  relayUrlOf(request: IncomingMessage): string | undefined;
  metrics: RelayMetrics;
  logger: Logger;
}

const tokenRequestSchema = z.strictObject({
  deviceId: z.string().refine(isDeviceId, { message: "expected a device ID" }).optional(),
  ttlSeconds: z
    .number()
    .int()
    .min(60)
    .max(MAX_TOKEN_TTL_MS / 1000, { message: "at most 30 days (2592000 s)" })
    .optional(),
});

/**
 * The admin HTTP routes about devices (docs/OPERATIONS.md, "Devices"), each behind an admin token
 * in `Authorization: Bearer`:
 *
 *   GET  /v1/devices                                 every device, with its status
 *   POST /v1/devices/{id}/revoke | remove
 *   GET  /v1/pending-enrollments[?all=1]             re-enrollments waiting for an admin
 *   POST /v1/pending-enrollments/{id}/approve | deny
 *   GET  /v1/enrollment-tokens                       one-time tokens (never the tokens themselves)
 *   POST /v1/enrollment-tokens {deviceId?, ttlSeconds?}  a token and its install commands
 *   POST /v1/enrollment-tokens/{id}/revoke
 *
 * Any origin may call them (the token is in a header, never a cookie): `OPTIONS` answers a
 * browser's preflight without a token, and every answer carries the CORS headers.
 * Returns false for any other path, for the next route to try.
 */
export async function routeDeviceAdministration(
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  deps: DeviceRouteDependencies,
): Promise<boolean> {
  const handlers = routeOf(url.pathname);
  if (handlers === undefined) return false;
  const method = request.method ?? "GET";
  // The dashboard may be served from another origin: a preflight carries no token, and every
  // answer, refusals included, must be readable there (see CROSS_ORIGIN_HEADERS).
  if (method === "OPTIONS") {
    answerPreflight(response);
    return true;
  }
  allowCrossOrigin(response);
  const handler = handlers[method];
  if (handler === undefined) {
    const allowed = Object.keys(handlers).map((verb) => `${verb} ${url.pathname}`);
    sendError(response, 405, { error: `use ${allowed.join(" or ")}` });
    return true;
  }
  const admin = requireAdmin(request, response, deps);
  if (admin === undefined) return true;
  try {
    await handler({ request, response, url, deps, admin });
  } catch (error) {
    if (error instanceof DeviceLifecycleError)
      sendError(response, error.problem === "unknown" ? 404 : 409, { error: error.message });
    else if (error instanceof PendingEnrollmentError)
      sendError(response, error.problem === "unknown" ? 404 : 409, { error: error.message });
    else if (error instanceof EnrollmentTokenLifetimeError)
      sendError(response, 400, { error: error.message });
    else if (error instanceof BodyError)
      sendError(response, error.status, { error: error.message });
    else throw error;
  }
  return true;
}

interface RouteContext {
  request: IncomingMessage;
  response: ServerResponse;
  url: URL;
  deps: DeviceRouteDependencies;
  /** `admin:NAME`, recorded as who did it. */
  admin: string;
}

type Handler = (context: RouteContext) => Promise<void>;

/** The handlers of a path by method, or `undefined` for a path that is not one of these routes. */
function routeOf(path: string): Partial<Record<string, Handler>> | undefined {
  if (path === "/v1/devices") return { GET: listDevices };
  if (path === "/v1/pending-enrollments") return { GET: listPending };
  if (path === "/v1/enrollment-tokens") return { GET: listTokens, POST: createToken };
  const device = /^\/v1\/devices\/([^/]+)\/(revoke|remove)$/.exec(path);
  if (device) return { POST: (c) => changeDevice(c, decode(device[1]), device[2]) };
  const pending = /^\/v1\/pending-enrollments\/([0-9a-f]{12})\/(approve|deny)$/.exec(path);
  if (pending) {
    const kind = pending[2] === "approve" ? "approved" : "denied";
    return { POST: (c) => decidePending(c, pending[1] ?? "", kind) };
  }
  const token = /^\/v1\/enrollment-tokens\/([0-9a-f]{12})\/revoke$/.exec(path);
  if (token) return { POST: (c) => revokeToken(c, token[1] ?? "") };
  return undefined;
}

async function listDevices({ response, deps }: RouteContext): Promise<void> {
  sendJson(response, 200, { devices: deps.lifecycle.list() });
}

async function changeDevice(
  { response, deps, admin }: RouteContext,
  deviceId: string,
  action: string | undefined,
): Promise<void> {
  const device =
    action === "revoke"
      ? await deps.lifecycle.revoke(deviceId, admin)
      : await deps.lifecycle.remove(deviceId, admin);
  await deps.markFleet(device.deviceId as DeviceId);
  deps.logger.info(
    { deviceId, by: admin },
    `device ${deviceId} ${action === "revoke" ? "revoked" : "removed"} by ${admin}`,
  );
  sendJson(response, 200, { device });
}

async function listPending({ response, url, deps }: RouteContext): Promise<void> {
  const all = url.searchParams.get("all") === "1";
  sendJson(response, 200, { requests: deps.lifecycle.pendingRequests({ all }) });
}

async function decidePending(
  { response, deps, admin }: RouteContext,
  requestId: string,
  kind: "approved" | "denied",
): Promise<void> {
  const decided = await deps.lifecycle.decide(requestId, kind, admin);
  deps.logger.info(
    { requestId, deviceId: decided.deviceId, by: admin },
    `re-enrollment request ${requestId} of device ${decided.deviceId} ${kind} by ${admin}`,
  );
  sendJson(response, 200, { request: decided });
}

async function createToken({ request, response, deps, admin }: RouteContext): Promise<void> {
  const parsed = tokenRequestSchema.safeParse(await readJsonBody(request, 4_096));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => ({
      path: issue.path.join("."),
      message: issue.message,
    }));
    return sendError(response, 400, { error: "invalid enrollment token request", problems });
  }
  const relayUrl = deps.relayUrlOf(request);
  if (relayUrl === undefined) {
    return sendError(response, 400, {
      error: "cannot tell the relay's address from this request's Host header: set public_url",
    });
  }
  const { deviceId, ttlSeconds } = parsed.data;
  const issued = await issueEnrollmentToken(
    deps.principals,
    {
      ...(deviceId === undefined ? {} : { deviceId: deviceId as DeviceId }),
      ...(ttlSeconds === undefined ? {} : { ttlMs: ttlSeconds * 1000 }),
      by: admin,
    },
    relayUrl,
  );
  deps.logger.info(
    { tokenId: issued.tokenId, deviceId, by: admin },
    `enrollment token ${issued.tokenId} made by ${admin}`,
  );
  sendJson(response, 201, issued);
}

async function listTokens({ response, deps }: RouteContext): Promise<void> {
  const tokens: EnrollmentTokenSummary[] = deps.principals.enrollmentTokens.list();
  sendJson(response, 200, { tokens });
}

async function revokeToken(
  { response, deps, admin }: RouteContext,
  tokenId: string,
): Promise<void> {
  if (!(await deps.principals.enrollmentTokens.revoke(tokenId, admin)))
    return sendError(response, 404, { error: `no enrollment token ${tokenId}` });
  sendJson(response, 200, { tokenId, revoked: true });
}

function decode(segment: string | undefined): string {
  try {
    return decodeURIComponent(segment ?? "");
  } catch {
    return segment ?? "";
  }
}
