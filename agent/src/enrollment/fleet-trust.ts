import { type FleetTrust, fingerprintOf, publicKeySchema } from "@outpost/shared-model";
import { z } from "zod";

/** A root key fingerprint as configs and install commands write it. */
export const FINGERPRINT = /^SHA256:[A-Za-z0-9_-]{43}$/;

/** Schema of a {@link FleetTrust} as the relay hands it out and the credentials file keeps it. */
export const fleetTrustSchema = z.strictObject({
  rootPublicKey: publicKeySchema,
  fleet: z.string().regex(FINGERPRINT, "expected a root key fingerprint SHA256:…"),
  trustDocUrl: z.string().regex(/^automerge:[1-9A-HJ-NP-Za-km-z]+$/, "expected an automerge: URL"),
}) satisfies z.ZodType<FleetTrust>;

/**
 * The agent will not pin the root key a relay named: it does not match its own fingerprint, or
 * the config's `root_key_fingerprint` names another (or the relay named none). Enrollment or the
 * first session with the relay stops there, and the message says what to check.
 */
export class RootKeyRefused extends Error {
  override name = "RootKeyRefused";
}

/**
 * `input` as a {@link FleetTrust}, `from` naming where it came from in the error.
 *
 * @throws RootKeyRefused for anything else
 */
export function parseFleetTrust(input: unknown, from: string): FleetTrust {
  const parsed = fleetTrustSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
  throw new RootKeyRefused(`${from} holds a malformed trust anchor (${problems.join("; ")})`);
}

/**
 * Checks the root a relay named (`from`: its enrollment answer, its session) before the agent
 * pins it: the public key must have the fingerprint the relay says, and the fingerprint must be
 * the one the agent config pins, when it pins one. Returns the root to pin.
 *
 * @throws RootKeyRefused naming both fingerprints and what to check
 */
export async function checkFleetTrust(
  trust: FleetTrust | undefined,
  configured: string | undefined,
  from: string,
): Promise<FleetTrust | undefined> {
  if (trust === undefined) {
    if (configured === undefined) return undefined;
    throw new RootKeyRefused(
      `${from} names no root key, but root_key_fingerprint in the agent config pins ${configured}: is this the fleet's relay, and is it up to date?`,
    );
  }
  const actual = await fingerprintOf(trust.rootPublicKey);
  if (actual !== trust.fleet) {
    throw new RootKeyRefused(
      `${from} names the fleet ${trust.fleet} with a root key whose fingerprint is ${actual}: refusing it`,
    );
  }
  if (configured !== undefined && trust.fleet !== configured) {
    throw new RootKeyRefused(
      `${from} names the root key ${trust.fleet}, but root_key_fingerprint in the agent config pins ${configured}: refusing it (check the fingerprint in the install command, and that this is the fleet's relay)`,
    );
  }
  return trust;
}
