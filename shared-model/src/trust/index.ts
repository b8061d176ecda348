/** Signed commands, intents and policy: keys, certificates, signing and verifying. */

export { type AdminSigner, signerPrincipal, signItem, webCryptoSigner } from "./admin-signer.js";
export type { AdminKeyCertificate, AdminKeyRevocation, RootSigner } from "./certificates.js";
export {
  certificateMessage,
  issueCertificate,
  issueRevocation,
  revocationMessage,
} from "./certificates.js";
export { fromBase64Url, NotBase64Url, toBase64Url, utf8 } from "./encoding.js";
export {
  ED25519,
  exportPublicKey,
  fingerprintOf,
  generateSigningKey,
  importPrivateKey,
  importPublicKey,
  isPublicKeyText,
  keyIdOf,
  sha256,
  signEd25519,
  verifyEd25519,
} from "./keys.js";
export {
  generateRootKey,
  InvalidRecoveryKey,
  type NewRootKey,
  openRootKey,
  RECOVERY_KEY_PREFIX,
  type RootKey,
} from "./root-key.js";
export { recordSigner, signCommand, signIntent, signPolicy, signPriority } from "./sign-writes.js";
export { formatSignature, parseSignature, type SignatureParts } from "./signature.js";
export {
  commandSpecItem,
  intentItem,
  itemMessage,
  policySettingItem,
  priorityItem,
  type SignedItem,
} from "./signed-items.js";
export {
  type JsonValue,
  NotCanonicalJson,
  SIGNATURE_FORMAT,
  SIGNATURE_PURPOSES,
  type SignaturePurpose,
  type SignatureScope,
  signedMessage,
} from "./signed-message.js";
export {
  SIGNATURE_PROBLEMS,
  type SignatureProblem,
  type SignatureVerdict,
  TrustVerifier,
} from "./trust-verifier.js";
