import type { EnrollRequest, EnrollResponse, RelayErrorBody } from "@outpost/shared-model";

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

/** The relay could not be reached (offline, DNS, refused): try again later. */
export class RelayUnreachable extends Error {
  override name = "RelayUnreachable";
}

/**
 * Enrolls this device with the relay at `relayUrl` (`POST /v1/enroll`).
 *
 * @throws EnrollmentRefused when the relay says no (wrong secret 403, bad request 400, another
 *   device's document 409, rate limited 429); RelayUnreachable when there is no answer.
 */
export async function enrollDevice(
  relayUrl: string,
  request: EnrollRequest,
): Promise<EnrollResponse> {
  let response: Response;
  try {
    response = await fetch(new URL("/v1/enroll", relayUrl), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(request),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const detail = cause?.code ?? cause?.message ?? (error as Error).message;
    throw new RelayUnreachable(`cannot reach the relay at ${relayUrl}: ${detail}`, {
      cause: error,
    });
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = { error: text.trim().slice(0, 200) || "no details" };
  }
  if (!response.ok) throw new EnrollmentRefused(response.status, body as RelayErrorBody);
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
  };
}
