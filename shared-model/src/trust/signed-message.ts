import canonicalize from "canonicalize";
import { utf8 } from "./encoding.js";

/**
 * What a signature may be for. The purpose is part of the signed bytes, so a signature made for
 * one kind of item can never be presented as another (a priority as a command, say).
 */
export const SIGNATURE_PURPOSES = [
  "admin-key-certificate",
  "admin-key-revocation",
  "command-spec",
  "command-priority",
  "command-intent",
  "policy-setting",
] as const;
/** One of {@link SIGNATURE_PURPOSES}. */
export type SignaturePurpose = (typeof SIGNATURE_PURPOSES)[number];

/**
 * Whose item a signature is about: the fleet (its root key's fingerprint) and, for an item in a
 * DeviceDoc, the device. Both are signed, so a signature is never valid in another fleet, nor on
 * another device's copy of the same command.
 */
export interface SignatureScope {
  /** The fleet's root key fingerprint (`SHA256:…`, see `fingerprintOf`). */
  fleet: string;
  /** The device whose document holds the item; absent for fleet-wide items (key certificates). */
  device?: string;
}

/** The first line of every signed message: the format, and that it is Outpost's. */
export const SIGNATURE_FORMAT = "outpost-signature-v1";

/** A JSON value as signatures cover it (what Automerge documents hold, minus its special types). */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue };

/** Thrown when a payload has no canonical JSON form (a lone surrogate, NaN, a function). */
export class NotCanonicalJson extends Error {
  override name = "NotCanonicalJson";

  constructor(purpose: SignaturePurpose, options?: ErrorOptions) {
    super(`the ${purpose} payload cannot be written as canonical JSON (RFC 8785)`, options);
  }
}

/**
 * The exact bytes an Ed25519 signature covers (docs/ARCHITECTURE.md, "Trust"):
 *
 *     outpost-signature-v1\n<purpose>\n<fleet>\n<device or "-">\n<RFC 8785 canonical JSON>
 *
 * Canonical JSON (JCS: sorted keys, no white space, ECMAScript number forms) makes the bytes a
 * function of the values alone, whatever order a replica's map keys come in; the lines before it
 * separate domains, fleets and devices.
 *
 * @throws NotCanonicalJson
 */
export function signedMessage(
  purpose: SignaturePurpose,
  scope: SignatureScope,
  payload: JsonValue,
): Uint8Array {
  let canonical: string | undefined;
  try {
    canonical = canonicalize(payload);
  } catch (cause) {
    throw new NotCanonicalJson(purpose, { cause });
  }
  if (canonical === undefined) throw new NotCanonicalJson(purpose);
  return utf8(
    `${SIGNATURE_FORMAT}\n${purpose}\n${scope.fleet}\n${scope.device ?? "-"}\n${canonical}`,
  );
}
