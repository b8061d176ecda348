import {
  type DeviceListing,
  deviceAdminAnswers,
  type EnrollmentTokenIssued,
  type EnrollmentTokenSummary,
  type PendingEnrollmentSummary,
  parseRelayAnswer,
} from "@outpost/shared-model";
import type { Session } from "../session/session.js";
import { makeRelayAdminCall, readAnswer } from "../sync/relay-admin-call.js";

/** What "Add a device" asks the relay for: a token for one device ID or any new one. */
export interface EnrollmentTokenRequest {
  /** The only device ID the token enrolls (a reinstalled laptop); absent: any new ID. */
  deviceId?: string;
  /** How long it lasts: 60 s to 30 days; the relay's default (24 h) when absent. */
  ttlSeconds?: number;
}

/**
 * The relay's admin routes about devices (docs/OPERATIONS.md, "Devices", "Enrollment tokens",
 * "Re-enrollment of a known device ID"), as the signed-in admin. Pages take it as a dependency,
 * so their tests give one over a real relay. Every answer is parsed with shared-model's schemas;
 * refusals are {@link RelayRefused} in the relay's words, the rest {@link RelayUnreachable}.
 */
export interface DevicesClient {
  /** Every device the relay knows, removed ones not yet purged included. */
  devices(): Promise<DeviceListing[]>;
  /** Closes the device's connections, refuses its token; it stays in the fleet, marked revoked. */
  revoke(deviceId: string): Promise<DeviceListing>;
  /** Revokes the device and drops it from the fleet; its documents stay on the relay's disk. */
  remove(deviceId: string): Promise<DeviceListing>;
  /** Re-enrollment requests, newest first: open ones, or every one with `all`. */
  pendingEnrollments(options?: { all?: boolean }): Promise<PendingEnrollmentSummary[]>;
  /** Approves or denies a re-enrollment request; returns it as it stands. */
  decide(requestId: string, decision: "approve" | "deny"): Promise<PendingEnrollmentSummary>;
  /** The one-time enrollment tokens, newest first (never the tokens themselves). */
  enrollmentTokens(): Promise<EnrollmentTokenSummary[]>;
  /** Makes a one-time token and its install commands: the only time the token is shown. */
  createToken(request: EnrollmentTokenRequest): Promise<EnrollmentTokenIssued>;
  /** Revokes a token that has not been used. */
  revokeToken(tokenId: string): Promise<void>;
}

/** A {@link DevicesClient} over HTTP with the session's admin token. */
export function makeDevicesClient(
  session: Pick<Session, "relayUrl" | "token">,
  fetchImpl?: typeof fetch,
): DevicesClient {
  const call = makeRelayAdminCall(session, fetchImpl);
  const answers = deviceAdminAnswers;
  /** Calls a route and reads its answer with `read`; `what` names what it should be. */
  const ask = async <T>(
    route: { method: "GET" | "POST"; path: string; body?: unknown },
    what: string,
    read: (answer: unknown) => T,
  ): Promise<T> => {
    const answer = await call(route.method, route.path, route.body);
    return readAnswer(`${route.method} ${route.path}`, what, () => read(answer));
  };
  const post = (path: string, body?: unknown) => ({ method: "POST" as const, path, body });
  const get = (path: string) => ({ method: "GET" as const, path });
  const device = (deviceId: string, action: string) =>
    post(`/v1/devices/${encodeURIComponent(deviceId)}/${action}`);
  const readDevice = (answer: unknown) => parseRelayAnswer(answers.device, answer, "device").device;
  return {
    devices: () =>
      ask(
        get("/v1/devices"),
        "a device list",
        (answer) => parseRelayAnswer(answers.devices, answer, "device list").devices,
      ),
    revoke: (deviceId) => ask(device(deviceId, "revoke"), "a device", readDevice),
    remove: (deviceId) => ask(device(deviceId, "remove"), "a device", readDevice),
    pendingEnrollments: (options = {}) =>
      ask(
        get(`/v1/pending-enrollments${options.all ? "?all=1" : ""}`),
        "a list of re-enrollment requests",
        (answer) => parseRelayAnswer(answers.requests, answer, "request list").requests,
      ),
    decide: (requestId, decision) =>
      ask(
        post(`/v1/pending-enrollments/${encodeURIComponent(requestId)}/${decision}`),
        "a re-enrollment request",
        (answer) => parseRelayAnswer(answers.request, answer, "request").request,
      ),
    enrollmentTokens: () =>
      ask(
        get("/v1/enrollment-tokens"),
        "a token list",
        (answer) => parseRelayAnswer(answers.tokens, answer, "token list").tokens,
      ),
    createToken: (request) =>
      ask(post("/v1/enrollment-tokens", request), "an enrollment token", (answer) =>
        parseRelayAnswer(answers.issued, answer, "enrollment token"),
      ),
    revokeToken: async (tokenId) => {
      await ask(
        post(`/v1/enrollment-tokens/${encodeURIComponent(tokenId)}/revoke`),
        "a token revocation",
        (answer) => parseRelayAnswer(answers.tokenRevoked, answer, "token revocation"),
      );
    },
  };
}
