import type { DeviceId, EnrollmentTokenIssued } from "@outpost/shared-model";
import type { PrincipalStore } from "../state/principal-store.js";
import { installCommands } from "./install-commands.js";

/**
 * Makes a one-time enrollment token and the install commands that carry it (the relay's admin
 * HTTP and its CLI give the same answer). The token exists in clear only in this answer.
 *
 * @throws EnrollmentTokenLifetimeError for a lifetime under a minute or over 30 days.
 */
export async function issueEnrollmentToken(
  principals: PrincipalStore,
  request: { deviceId?: DeviceId; ttlMs?: number; by: string },
  relayUrl: string,
): Promise<EnrollmentTokenIssued> {
  const { token, record } = await principals.enrollmentTokens.create(request);
  // Install commands pin the fleet: a new agent refuses a relay that names another root.
  const rootKeyFingerprint = principals.adminKeys.root?.fleet;
  return {
    tokenId: record.tokenId,
    token,
    ...(record.deviceId === undefined ? {} : { deviceId: record.deviceId }),
    expiresAt: record.expiresAt,
    relayUrl,
    ...(rootKeyFingerprint === undefined ? {} : { rootKeyFingerprint }),
    install: installCommands({
      relayUrl,
      token,
      ...(rootKeyFingerprint === undefined ? {} : { rootKeyFingerprint }),
      ...(record.deviceId === undefined ? {} : { deviceId: record.deviceId }),
    }),
  };
}
