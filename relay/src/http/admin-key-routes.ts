import type { IncomingMessage, ServerResponse } from "node:http";
import type {
  AdminKeyList,
  AdminKeyListing,
  AdminKeyRevocation,
  Logger,
  RelayErrorBody,
} from "@outpost/shared-model";
import { describePrincipal } from "@outpost/shared-model";
import type { z } from "zod";
import type { RejectionReason, RelayMetrics } from "../metrics/relay-metrics.js";
import type { PrincipalStore } from "../state/principal-store.js";
import type { TrustDocument } from "../state/trust-document.js";
import { type TrustRefusalKind, TrustRefused } from "../state/trust-refused.js";
import { certificateBody, registrationBody, revocationBody } from "./admin-key-requests.js";
import { bearerToken } from "./bearer-token.js";
import { allowCrossOrigin, answerPreflight } from "./cors.js";
import { BodyError, readJsonBody, sendJson } from "./responses.js";

/** Where the admin key routes live. */
export const ADMIN_KEYS_PATH = "/v1/admin-keys";

/** What the admin key routes need. */
export interface AdminKeyRouteDependencies {
  principals: PrincipalStore;
  trust: Pick<TrustDocument, "settled">;
  metrics: RelayMetrics;
  logger: Logger;
}

/** How each refusal of the key store is answered. */
const REFUSALS: Record<TrustRefusalKind, { status: number; reason: RejectionReason }> = {
  "no-root": { status: 503, reason: "admin-key-no-root" },
  "not-root-signed": { status: 422, reason: "admin-key-not-root-signed" },
  "unknown-key": { status: 404, reason: "admin-key-unknown" },
  conflict: { status: 409, reason: "admin-key-conflict" },
  limit: { status: 409, reason: "admin-key-limit" },
};

/** Thrown inside a route: answer `status` with `body`, count `reason`. */
class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly reason: RejectionReason,
    readonly body: RelayErrorBody,
  ) {
    super(body.error);
  }
}

/**
 * `/v1/admin-keys` (docs/ARCHITECTURE.md, "Relay HTTP for keys"), for admin tokens: the key list,
 * registering the caller's own key, and the root's certificates and revocations, which the relay
 * records only when they verify against the root and answers only once they are in the TrustDoc
 * on disk. Every refusal says what was wrong, and is logged and counted.
 */
export async function handleAdminKeys(
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
  deps: AdminKeyRouteDependencies,
): Promise<void> {
  const method = request.method ?? "GET";
  if (method === "OPTIONS") return answerPreflight(response);
  // A dashboard on another origin calls these with its token (see CROSS_ORIGIN_HEADERS).
  allowCrossOrigin(response);
  try {
    const admin = authenticateAdmin(request, deps.principals);
    const keys = deps.principals.adminKeys;
    const route = `${method} ${path}`;
    if (route === `GET ${ADMIN_KEYS_PATH}`) {
      // Throws TrustRefused (no-root) while the fleet has no root: nothing here can be trusted yet.
      const { publicKey, fleet } = keys.requireRoot();
      const answer: AdminKeyList = { rootPublicKey: publicKey, fleet, keys: keys.keys() };
      return sendJson(response, 200, answer);
    }
    if (route === `POST ${ADMIN_KEYS_PATH}`) {
      const registration = await readBody(request, registrationBody);
      const registered = await keys.register(admin, registration);
      if (registered.created)
        deps.logger.info({ admin, keyId: registered.key.keyId }, "admin key registered");
      return answerKey(response, registered);
    }
    if (route === `POST ${ADMIN_KEYS_PATH}/certificates`) {
      const { certificate } = await readBody(request, certificateBody);
      const certified = await keys.certify(certificate);
      const { keyId } = certificate;
      return answerStatement(response, deps, { by: admin, what: "certified", keyId, ...certified });
    }
    if (route === `POST ${ADMIN_KEYS_PATH}/revocations`) {
      const { revocation } = await readBody(request, revocationBody);
      const revoked = await keys.revoke(revocation);
      const { keyId } = revocation;
      return answerStatement(response, deps, { by: admin, what: "revoked", keyId, ...revoked });
    }
    throw new Refusal(404, "admin-key-bad-request", {
      error: `nothing at ${method} ${path}; see docs/ARCHITECTURE.md, "Relay HTTP for keys"`,
    });
  } catch (error) {
    const refusal = asRefusal(error);
    if (refusal === undefined) throw error;
    deps.metrics.rejections.inc({ reason: refusal.reason });
    deps.logger.warn(
      { reason: refusal.reason, error: refusal.body.error, path },
      `${method} ${path} refused: ${refusal.body.error}`,
    );
    sendJson(response, refusal.status, refusal.body);
  }
}

/**
 * Answers a certificate or revocation once the TrustDoc holds it on disk: the key as it now
 * stands, or, for a revocation of a key never registered here, the revocation.
 */
async function answerStatement(
  response: ServerResponse,
  deps: AdminKeyRouteDependencies,
  recorded: {
    by: string;
    what: string;
    keyId: string;
    created: boolean;
    key: AdminKeyListing | undefined;
    revocation?: AdminKeyRevocation;
  },
): Promise<void> {
  await deps.trust.settled();
  const { by, what, keyId, created, key, revocation } = recorded;
  if (created) deps.logger.info({ by, keyId }, `admin key ${what}`);
  const body = key === undefined ? { revocation } : { key };
  sendJson(response, created ? 201 : 200, body);
}

function answerKey(
  response: ServerResponse,
  { key, created }: { key: AdminKeyListing; created: boolean },
): void {
  sendJson(response, created ? 201 : 200, { key } satisfies { key: AdminKeyListing });
}

/** The admin whose token the request carries. */
function authenticateAdmin(request: IncomingMessage, principals: PrincipalStore): string {
  const token = bearerToken(request);
  if (token === undefined) {
    throw new Refusal(401, "missing-token", { error: "missing token (Authorization: Bearer …)" });
  }
  const principal = principals.authenticate(token);
  if (principal === undefined) {
    throw new Refusal(401, "bad-token", { error: "invalid or revoked token" });
  }
  if (principal.kind !== "admin") {
    throw new Refusal(403, "access-denied", {
      error: `admin keys are for admins; this is the token of ${describePrincipal(principal)}`,
    });
  }
  return principal.name;
}

async function readBody<S extends z.ZodType>(
  request: IncomingMessage,
  schema: S,
): Promise<z.infer<S>> {
  const body = await readJsonBody(request, 16_384);
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  throw new Refusal(400, "admin-key-bad-request", {
    error: "invalid admin key request",
    problems: parsed.error.issues.map((issue) => ({
      path: issue.path.join("."),
      message: issue.message,
    })),
  });
}

function asRefusal(error: unknown): Refusal | undefined {
  if (error instanceof Refusal) return error;
  if (error instanceof BodyError) {
    return new Refusal(error.status, "admin-key-bad-request", { error: error.message });
  }
  if (error instanceof TrustRefused) {
    const { status, reason } = REFUSALS[error.kind];
    return new Refusal(status, reason, { error: error.message });
  }
  return undefined;
}
