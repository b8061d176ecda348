import type { AdminKeyListing, RootKey } from "@outpost/shared-model";
import { issueRevocation, keyIdSchema, UsageError } from "@outpost/shared-model";
import type { PrincipalStore } from "../state/principal-store.js";
import { TrustRefused } from "../state/trust-refused.js";
import { readRecoveryKey } from "./recovery-key-input.js";

/** Flags of `admin key approve|revoke`. */
export interface AdminKeyFlags {
  "root-key"?: string;
  reason?: string;
}

/**
 * `admin key list | approve NAME KEY_ID | revoke KEY_ID [--reason TEXT]`: the admin keys the
 * dashboard registered, and the root's certificates and revocations of them, signed here with
 * the recovery key (docs/OPERATIONS.md, "Keys and recovery"). A running relay writes what is
 * recorded into its TrustDoc within a second.
 */
export async function runAdminKeyCommand(
  args: string[],
  flags: AdminKeyFlags,
  store: PrincipalStore,
): Promise<void> {
  const [action, ...rest] = args;
  if (action === "list") {
    expectArguments(rest, 0, "admin key list");
    return listKeys(store);
  }
  if (action === "approve") {
    expectArguments(rest, 2, "admin key approve NAME KEY_ID");
    const [name, keyId] = rest as [string, string];
    const key = registeredKey(store, keyId, "admin key approve");
    if (key.admin !== name) {
      throw new UsageError(
        `admin key approve: key ${keyId} was registered by admin ${key.admin}, not ${name}`,
      );
    }
    if (key.status === "certified") {
      process.stderr.write(`key ${keyId} of admin ${name} is certified already.\n`);
      return;
    }
    const root = await fleetRootKey(store, flags, "admin key approve");
    await recorded(() => store.adminKeys.approve(keyId, root));
    process.stderr.write(
      `key ${keyId} of admin ${name} certified; a running relay writes it to the trust document within a second.\n`,
    );
    return;
  }
  if (action === "revoke") {
    expectArguments(rest, 1, "admin key revoke KEY_ID");
    return revokeKey(store, rest[0] as string, flags);
  }
  throw new UsageError("admin key needs list, approve NAME KEY_ID or revoke KEY_ID");
}

/**
 * Revokes `keyId`, registered here or not: the root may have certified a key elsewhere (its
 * certificate travels in the DeviceDocs it signs in), and whatever it certified it can revoke.
 */
async function revokeKey(
  store: PrincipalStore,
  keyId: string,
  flags: AdminKeyFlags,
): Promise<void> {
  const command = "admin key revoke";
  checkKeyId(keyId, command);
  const key = store.adminKeys.key(keyId);
  const which =
    key === undefined
      ? `key ${keyId} (not registered on this relay)`
      : `key ${keyId} of admin ${key.admin}`;
  if (store.adminKeys.revocations().some((revocation) => revocation.keyId === keyId)) {
    process.stderr.write(`${which} is revoked already.\n`);
    return;
  }
  const reason = flags.reason?.trim();
  if (reason !== undefined && (reason === "" || reason.length > 500)) {
    throw new UsageError(`${command}: --reason takes 1 to 500 characters`);
  }
  const root = await fleetRootKey(store, flags, command);
  const revocation = await issueRevocation(root, {
    keyId,
    revokedAt: Date.now(),
    ...(reason === undefined ? {} : { reason }),
  });
  await recorded(() => store.adminKeys.revoke(revocation));
  process.stderr.write(
    `${which} revoked; agents refuse its signatures once the trust document reaches them.\n`,
  );
}

function listKeys(store: PrincipalStore): void {
  const keys = store.adminKeys.keys();
  if (keys.length === 0) {
    process.stdout.write("no admin keys; the dashboard registers one when an admin signs in\n");
  }
  for (const key of keys) {
    const registered = new Date(key.registeredAt).toISOString();
    process.stdout.write(
      `${key.keyId}\t${key.admin}\t${key.status}\t${registered}\t${key.label}\n`,
    );
  }
}

function expectArguments(rest: string[], count: number, form: string): void {
  if (rest.length !== count) {
    throw new UsageError(`${form}: expected ${count} arguments, received ${rest.length}`);
  }
}

function checkKeyId(keyId: string, command: string): void {
  if (!keyIdSchema.safeParse(keyId).success) {
    throw new UsageError(
      `${command}: expected a KEY_ID of 22 characters as "admin key list" shows, received ${JSON.stringify(keyId)}`,
    );
  }
}

function registeredKey(store: PrincipalStore, keyId: string, command: string): AdminKeyListing {
  checkKeyId(keyId, command);
  const key = store.adminKeys.key(keyId);
  if (key === undefined) {
    throw new UsageError(
      `${command}: no admin key ${keyId} is registered; "outpost-relay admin key list" shows them`,
    );
  }
  return key;
}

/** The recovery key, checked to be this fleet's. */
async function fleetRootKey(
  store: PrincipalStore,
  flags: AdminKeyFlags,
  command: string,
): Promise<RootKey> {
  const fleet = store.adminKeys.root;
  if (fleet === undefined) {
    throw new UsageError(
      `${command}: this fleet has no root key yet; make one with: outpost-relay root init`,
    );
  }
  const root = await readRecoveryKey(command, {
    file: flags["root-key"],
    env: process.env,
    stdin: process.stdin,
  });
  if (root.publicKey !== fleet.publicKey) {
    throw new UsageError(
      `${command}: the recovery key is for the fleet ${root.fleet}, but this relay's fleet is ${fleet.fleet}`,
    );
  }
  return root;
}

/** Runs a store write, saying what the store refused as a usage error. */
async function recorded(write: () => Promise<unknown>): Promise<void> {
  try {
    await write();
  } catch (error) {
    if (error instanceof TrustRefused) throw new UsageError(error.message);
    throw error;
  }
}
