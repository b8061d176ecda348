import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** Prefixes make a leaked token recognisable (secret scanners, logs) and say what it opens. */
const PREFIX = { admin: "opa_", device: "opd_", secret: "ops_", enrollment: "opt_" } as const;

/** A fresh 256-bit random token for an admin or a device, an enrollment secret or one-time token. */
export function newToken(kind: keyof typeof PREFIX): string {
  return `${PREFIX[kind]}${randomBytes(32).toString("base64url")}`;
}

/** The hash under which a token is stored and looked up; the token itself is never stored. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** Compares two secrets in constant time (their hashes, so lengths need not match). */
export function secretsEqual(a: string, b: string): boolean {
  return timingSafeEqual(
    createHash("sha256").update(a).digest(),
    createHash("sha256").update(b).digest(),
  );
}
