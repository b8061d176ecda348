import type { PrincipalStore } from "../state/principal-store.js";

/**
 * The fleet's root key fingerprint (`SHA256:…`, docs/ARCHITECTURE.md, "Trust") that install commands
 * carry, so a new agent refuses a relay naming another root; `undefined` while the relay has none.
 *
 * TODO(relay-trust): the root key is kept by the relay-trust work (PrincipalStore and the TrustDoc).
 * Once it lands, return its fingerprint here (the `fleet` of the root). Until then install
 * commands and `enroll-token create` carry no fingerprint, and say so.
 */
export function rootKeyFingerprintOf(_principals: PrincipalStore): string | undefined {
  return undefined;
}
