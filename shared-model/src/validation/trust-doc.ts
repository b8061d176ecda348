import { TRUST_DOC_SCHEMA, type TrustDoc } from "../documents/trust-doc.js";
import { isPublicKeyText } from "../trust/keys.js";
import { certificateSchema, revocationSchema } from "./certificate-schemas.js";
import { checkIdentity } from "./identity.js";
import { InvalidField } from "./invalid-field.js";
import type { Validated } from "./validated.js";
import { validEntries } from "./validated.js";
import { parseRecording } from "./zod-issues.js";

/**
 * Validates a TrustDoc read from the network. Never throws. A malformed certificate or revocation
 * is left out and reported; whether the root signed one is the verifier's call, not this one's.
 */
export function validateTrustDoc(input: unknown): Validated<TrustDoc> {
  const problems: InvalidField[] = [];
  if (!checkIdentity(input, "TrustDoc", TRUST_DOC_SCHEMA, problems)) {
    return { value: null, problems };
  }
  if (!isPublicKeyText(input.rootPublicKey)) {
    problems.push(new InvalidField("rootPublicKey", "an Ed25519 public key", input.rootPublicKey));
    return { value: null, problems };
  }
  const value: TrustDoc = {
    schema: TRUST_DOC_SCHEMA,
    rootPublicKey: input.rootPublicKey,
    fleet: typeof input.fleet === "string" ? input.fleet : "",
    certificates: validEntries(
      input.certificates,
      (_keyId, entry, path) => parseRecording(certificateSchema, entry, path, problems),
      "certificates",
    ),
    revocations: validEntries(
      input.revocations,
      (_keyId, entry, path) => parseRecording(revocationSchema, entry, path, problems),
      "revocations",
    ),
  };
  return { value, problems };
}
