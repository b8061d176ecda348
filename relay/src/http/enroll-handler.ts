import type { IncomingMessage, ServerResponse } from "node:http";
import { isValidAutomergeUrl, parseAutomergeUrl } from "@automerge/automerge-repo";
import type { DeviceId, EnrollResponse, Logger } from "@outpost/shared-model";
import { enrollRequestSchema } from "@outpost/shared-model";
import type { RejectionReason, RelayMetrics } from "../metrics/relay-metrics.js";
import type { FleetDocument } from "../state/fleet-document.js";
import type { OwnershipStore } from "../state/ownership-store.js";
import type { PrincipalStore } from "../state/principal-store.js";
import type { TrustDocument } from "../state/trust-document.js";
import type { DocumentPresence } from "../sync/document-presence.js";
import type { ClientAddressOf } from "./client-address.js";
import type { EnrollmentGate } from "./enrollment-gate.js";
import type { EnrollmentLimits, EnrollmentRefusal } from "./enrollment-limits.js";
import { BodyError, readJsonBody, sendError, sendJson } from "./responses.js";

/** What enrollment needs from the relay. */
export interface EnrollDependencies {
  principals: PrincipalStore;
  ownership: OwnershipStore;
  fleet: FleetDocument;
  /** What the device pins (the root key, the TrustDoc); a relay without a root cannot enroll. */
  trust: Pick<TrustDocument, "fleetTrust" | "documentId">;
  /** True when the relay already has the document (see DocumentPresence). */
  documentExists: DocumentPresence;
  enrollmentLimits: EnrollmentLimits;
  /** Who may enroll which ID: the secret, one-time tokens, approved re-enrollments. */
  gate: EnrollmentGate;
  /** The client behind a trusted proxy, else the socket's peer (see TrustedProxies). */
  clientAddress: ClientAddressOf;
  maxDocumentsPerDevice: number;
  relayPeerId: string;
  logger: Logger;
  metrics: RelayMetrics;
}

/** Refusals that count against an address's failed attempts rather than its enrollments. */
const FAILURES: ReadonlySet<RejectionReason> = new Set([
  "enroll-bad-secret",
  "enroll-bad-request",
  "enroll-token-unknown",
  "enroll-token-expired",
  "enroll-token-used",
  "enroll-token-revoked",
  "enroll-token-wrong-device",
  "enroll-pending-unknown",
  "enroll-pending-denied",
]);

/**
 * `POST /v1/enroll` (ARCHITECTURE.md, "Identity"): checks what the device presents (EnrollmentGate:
 * the fleet secret for a new ID, a one-time token, an approved re-enrollment; the secret with a
 * known ID waits for an admin, answered 202), makes the device the owner of its DeviceDoc, issues
 * a token (stored hashed; a re-enrollment revokes the old one), records the device in the FleetDoc
 * and flushes it. Each step is durable before the next, so a crash midway leaves at worst a device
 * that enrolls again.
 */
export async function handleEnroll(
  request: IncomingMessage,
  response: ServerResponse,
  deps: EnrollDependencies,
): Promise<void> {
  const address = deps.clientAddress(request);
  const answerRefusal = (
    status: number,
    reason: RejectionReason,
    error: string,
    problems?: { path: string; message: string }[],
  ) => {
    deps.metrics.rejections.inc({ reason });
    deps.logger.warn({ remoteAddress: address, reason, error }, `enrollment refused: ${error}`);
    sendError(response, status, problems ? { error, problems } : { error });
  };
  const refuseRateLimited = (refusal: EnrollmentRefusal) => {
    response.setHeader("retry-after", String(refusal.retryAfterSeconds));
    answerRefusal(429, refusal.reason, refusal.error);
  };
  const refuse: typeof answerRefusal = (status, reason, error, problems) => {
    // Failures have their own allowance per address (see EnrollmentLimits): past it they are
    // answered 429, so a flood is told to back off, and they never spend real enrollments'.
    const limited = FAILURES.has(reason) ? deps.enrollmentLimits.failed(address) : undefined;
    if (limited !== undefined) return refuseRateLimited(limited);
    answerRefusal(status, reason, error, problems);
  };
  let body: unknown;
  try {
    body = await readJsonBody(request, 16_384);
  } catch (error) {
    if (error instanceof BodyError)
      return refuse(error.status, "enroll-bad-request", error.message);
    throw error;
  }
  const parsed = enrollRequestSchema.safeParse(body);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => ({
      path: issue.path.join("."),
      message: issue.message,
    }));
    return refuse(400, "enroll-bad-request", "invalid enrollment request", problems);
  }
  const { hostname, deviceDocUrl } = parsed.data;
  const deviceId = parsed.data.deviceId as DeviceId;
  const decision = deps.gate.decide(parsed.data);
  if (decision.kind === "refuse") return refuse(decision.status, decision.reason, decision.error);
  if (decision.kind === "waiting") return sendJson(response, 202, decision.answer);
  const trust = deps.trust.fleetTrust();
  if (trust === undefined) {
    return refuse(
      503,
      "enroll-no-root",
      "this relay has no root key yet, so a device has nothing to pin; an operator makes one with: outpost-relay admin add NAME (or outpost-relay root init)",
    );
  }
  // A request for an admin grows the journal as a new device would: it spends the same allowance.
  const newDevice = decision.kind === "ask-admin" || decision.newDevice;
  const limited = decision.kind === "ask-admin" || decision.rateLimited;
  const admission = limited ? deps.enrollmentLimits.admit(address, newDevice) : undefined;
  if (admission !== undefined) return refuseRateLimited(admission);
  if (!isValidAutomergeUrl(deviceDocUrl)) {
    const problems = [
      { path: "deviceDocUrl", message: "expected an automerge: URL with a valid document ID" },
    ];
    return refuse(400, "enroll-bad-request", "invalid enrollment request", problems);
  }
  const { documentId } = parseAutomergeUrl(deviceDocUrl);
  // The agent makes its DeviceDoc offline and enrolls before syncing it: a document the relay
  // already has (the FleetDoc, whose URL every admin gets; an admin's; another device's) is not
  // a new DeviceDoc, and owning it would hand the device that document.
  if (documentId === deps.fleet.documentId) {
    return refuse(409, "enroll-conflict", "the fleet document cannot be a device's DeviceDoc");
  }
  if (documentId === deps.trust.documentId) {
    return refuse(409, "enroll-conflict", "the trust document cannot be a device's DeviceDoc");
  }
  const owner = deps.ownership.ownerOf(documentId);
  if (owner === undefined && (await deps.documentExists(documentId))) {
    return refuse(409, "enroll-conflict", `document ${documentId} already exists on the relay`);
  }
  if (owner !== undefined && owner !== deviceId) {
    return refuse(409, "enroll-conflict", `document ${documentId} belongs to another device`);
  }
  if (decision.kind === "ask-admin")
    return sendJson(response, 202, await deps.gate.askAdmin(parsed.data, address));
  const claim = await deps.ownership.claim(documentId, deviceId, deps.maxDocumentsPerDevice);
  if (claim === "owned-by-another") {
    return refuse(409, "enroll-conflict", `document ${documentId} belongs to another device`);
  }
  if (claim === "limit-reached") {
    return refuse(
      409,
      "enroll-conflict",
      `device ${deviceId} owns the maximum number of documents`,
    );
  }

  const spent = await decision.spend();
  if (spent !== undefined) return refuse(spent.status, spent.reason, spent.error);
  const rotated = deps.principals.isKnownDevice(deviceId);
  const deviceToken = await deps.principals.enrollDevice({
    deviceId,
    hostname,
    deviceDocumentId: documentId,
  });
  await deps.fleet.recordDevice(deviceId, { deviceDocUrl, hostname, enrolledAt: Date.now() });
  deps.metrics.enrollments.inc({ rotated: String(rotated) });
  deps.logger.info(
    { deviceId, hostname, rotated, remoteAddress: address },
    `device ${deviceId} enrolled${rotated ? " again; its previous token is revoked" : ""}`,
  );
  sendJson(response, 200, {
    deviceToken,
    relayPeerId: deps.relayPeerId,
    rotated,
    trust,
  } satisfies EnrollResponse);
}
