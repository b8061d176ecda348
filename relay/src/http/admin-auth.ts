import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "@outpost/shared-model";
import { describePrincipal } from "@outpost/shared-model";
import type { RelayMetrics } from "../metrics/relay-metrics.js";
import type { PrincipalStore } from "../state/principal-store.js";
import { sendError } from "./responses.js";

/**
 * The admin behind a request's `Authorization: Bearer <admin token>`, as `admin:NAME` for the
 * journal; otherwise answers 401 (no or unknown token, counted as `missing-token` or `bad-token`)
 * or 403 (a device's token) and returns `undefined`. Admin routes take the token in the header
 * only: a query string ends up in proxies' logs.
 */
export function requireAdmin(
  request: IncomingMessage,
  response: ServerResponse,
  deps: { principals: PrincipalStore; metrics: RelayMetrics; logger: Logger },
): string | undefined {
  const header = request.headers.authorization ?? "";
  const token = header.startsWith("Bearer ") ? header.slice(7).trim() : "";
  const principal = token === "" ? undefined : deps.principals.authenticate(token);
  const path = (request.url ?? "").split("?")[0];
  if (principal === undefined) {
    const reason = token === "" ? "missing-token" : "bad-token";
    deps.metrics.rejections.inc({ reason });
    deps.logger.warn(
      { reason, path },
      `admin request ${request.method} ${path} refused: ${reason}`,
    );
    sendError(response, 401, {
      error:
        token === ""
          ? "missing token: send Authorization: Bearer <admin token>"
          : "invalid or revoked token",
    });
    return undefined;
  }
  if (principal.kind !== "admin") {
    deps.metrics.rejections.inc({ reason: "access-denied" });
    sendError(response, 403, { error: `${describePrincipal(principal)} is not an admin` });
    return undefined;
  }
  return describePrincipal(principal);
}
