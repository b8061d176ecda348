import type {
  EnrollPendingResponse,
  EnrollRequest,
  EnrollResponse,
  RelayErrorBody,
} from "@outpost/shared-model";
import { messageOf } from "@outpost/shared-model";
import { parseFleetTrust } from "./fleet-trust.js";
import { requestRelay } from "./relay-request.js";

/** The relay answered, and said no; `status` and the relay's own words say why. */
export class EnrollmentRefused extends Error {
  override name = "EnrollmentRefused";

  constructor(
    readonly status: number,
    readonly body: RelayErrorBody,
  ) {
    const problems = body.problems?.map((p) => `${p.path}: ${p.message}`).join("; ");
    super(
      `the relay refused enrollment (HTTP ${status}): ${body.error}${problems ? ` (${problems})` : ""}`,
    );
  }
}

/**
 * The relay knows this device ID already, and an admin has to approve its enrollment (HTTP 202):
 * ask again with `requestId` and the nonce the first answer gave, until approved or denied.
 */
export class EnrollmentPending extends Error {
  override name = "EnrollmentPending";

  constructor(readonly answer: EnrollPendingResponse) {
    super(answer.message);
  }
}

/** The relay could not be reached (offline, DNS, refused): try again later. */
export class RelayUnreachable extends Error {
  override name = "RelayUnreachable";

  constructor(
    readonly relayUrl: string,
    /** The system's error code (`ECONNREFUSED`, `ENOTFOUND`) or, without one, its message. */
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    super(
      `cannot reach the relay at ${relayUrl}: ${detail}; ` +
        "check relay_url in the agent config and that the relay is running and reachable",
      options,
    );
  }
}

/**
 * Enrolls this device with the relay at `relayUrl` (`POST /v1/enroll`).
 *
 * @throws EnrollmentPending when an admin has to approve it (202); EnrollmentRefused when the relay
 *   says no (wrong secret or token 403, bad request 400, another device's document 409, a request
 *   an admin denied 410, rate limited 429); RelayUnreachable when there is no answer.
 */
export async function enrollDevice(
  relayUrl: string,
  request: EnrollRequest,
): Promise<EnrollResponse> {
  let response: { status: number; text: string };
  try {
    response = await requestRelay(new URL("/v1/enroll", relayUrl), {
      method: "POST",
      body: JSON.stringify(request),
    });
  } catch (error) {
    const detail = (error as NodeJS.ErrnoException).code ?? messageOf(error);
    throw new RelayUnreachable(relayUrl, detail, { cause: error });
  }
  const ok = response.status >= 200 && response.status < 300;
  const text = response.text;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = { error: text.trim().slice(0, 200) || "no details" };
  }
  if (!ok) throw new EnrollmentRefused(response.status, body as RelayErrorBody);
  if (response.status === 202) {
    const pending = body as Partial<EnrollPendingResponse>;
    if (pending.status === "pending" && typeof pending.requestId === "string") {
      throw new EnrollmentPending({
        status: "pending",
        requestId: pending.requestId,
        message: typeof pending.message === "string" ? pending.message : "waiting for an admin",
        ...(typeof pending.nonce === "string" ? { nonce: pending.nonce } : {}),
      });
    }
  }
  const answer = body as Partial<EnrollResponse>;
  if (typeof answer.deviceToken !== "string" || typeof answer.relayPeerId !== "string") {
    throw new Error(
      `the relay at ${relayUrl} answered enrollment without a token: ${text.slice(0, 200)}`,
    );
  }
  return {
    deviceToken: answer.deviceToken,
    relayPeerId: answer.relayPeerId,
    rotated: answer.rotated === true,
    ...(answer.trust === undefined
      ? {}
      : { trust: parseFleetTrust(answer.trust, `the enrollment answer of ${relayUrl}`) }),
  };
}
