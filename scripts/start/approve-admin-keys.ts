import { readFile } from "node:fs/promises";
import { approveKeysAsRegistered, type Relay } from "@outpost/relay";
import { openRootKey } from "@outpost/shared-model";
import type { StartData } from "./data-folder.js";

/**
 * Certifies the signing keys `admin`'s browsers register with this relay, now and as they come:
 * `npm start` keeps the fleet's recovery key in its data folder (a demo on one machine), so the
 * person at this machine signs in and can enqueue commands at once. A real relay never has its
 * recovery key at hand; there an operator approves each key (`outpost-relay admin key approve`,
 * or the dashboard's Keys page). Without the recovery key file it says so and approves nothing.
 */
export async function approveAdminKeys(
  relay: Relay,
  data: StartData,
  admin: string,
  say: (line: string) => void,
): Promise<void> {
  const recoveryKey = await readFile(data.rootKeyFile, "utf8").catch(() => undefined);
  if (recoveryKey === undefined) {
    say(
      `  The recovery key is not in ${data.rootKeyFile}: approve this browser's signing key with outpost-relay admin key approve.`,
    );
    return;
  }
  approveKeysAsRegistered(relay.principals.adminKeys, await openRootKey(recoveryKey), {
    admins: [admin],
    onApproved: (key) =>
      say(`Approved the signing key ${key.keyId} of admin:${admin} (${key.label}).`),
    onError: (key, message) => say(`Could not approve the signing key ${key.keyId}: ${message}`),
  });
}
