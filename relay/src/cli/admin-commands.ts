import type { Logger } from "@outpost/shared-model";
import { isAdminName, UsageError } from "@outpost/shared-model";
import { AdminNameError, PrincipalStore } from "../state/principal-store.js";
import { type AdminKeyFlags, runAdminKeyCommand } from "./admin-key-commands.js";
import { type CommonFlags, dataDirectoryOf, makeCliLogger } from "./common.js";
import { handOverRoot, type MadeRoot, makeFleetRoot, rootExists } from "./new-root.js";
import type { RootFlags } from "./root-commands.js";

/**
 * `admin add|list|revoke` and `admin key …`: works whether or not a relay is running on the same
 * data folder. The first `admin add` of a fleet makes its root key too.
 */
export async function runAdminCommand(
  args: string[],
  flags: CommonFlags & RootFlags & AdminKeyFlags,
): Promise<void> {
  if (args[0] === "key") return runAdminKeyCommand(args.slice(1), flags, await openStore(flags));
  const [action, name, ...extra] = args;
  if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(" ")}`);
  const store = await openStore(flags);
  if (action === "list") {
    const admins = store.listAdmins();
    if (admins.length === 0)
      process.stdout.write("no admins; create one with: outpost-relay admin add NAME\n");
    for (const admin of admins)
      process.stdout.write(`${admin.name}\tadded ${new Date(admin.addedAt).toISOString()}\n`);
    return;
  }
  if (action !== "add" && action !== "revoke")
    throw new UsageError("admin needs add NAME, list or revoke NAME");
  if (!isAdminName(name)) {
    throw new UsageError(
      `admin ${action}: expected a NAME of 1-64 lowercase letters, digits, '.', '_' or '-', received ${JSON.stringify(name ?? "")}`,
    );
  }
  if (action === "add") {
    const root = await rootForFirstAdmin(store, name, flags["root-key-out"]);
    try {
      const token = await store.addAdmin(name);
      process.stdout.write(`${token}\n`);
      process.stderr.write(
        `admin ${name} added. The token above is shown only this once; the relay keeps only its hash.\n`,
      );
    } finally {
      // Even if adding the admin failed: the root is recorded, and this is its one showing.
      if (root !== undefined) handOverRoot(root);
    }
  } else {
    await store.revokeAdmin(name);
    process.stderr.write(
      `admin ${name} revoked; a running relay closes its connections within a second.\n`,
    );
  }
}

/** `enroll-secret show|rotate`. */
export async function runEnrollSecretCommand(args: string[], flags: CommonFlags): Promise<void> {
  const [action, ...extra] = args;
  if (extra.length > 0 || (action !== "show" && action !== "rotate")) {
    throw new UsageError("enroll-secret needs show or rotate");
  }
  const store = await openStore(flags);
  const secret =
    action === "show" ? await store.enrollmentSecret() : await store.rotateEnrollmentSecret();
  process.stdout.write(`${secret}\n`);
  if (action === "rotate")
    process.stderr.write("enrollment secret rotated; enrolled devices keep their tokens.\n");
}

/** The fleet's root key, made now if the fleet has none (the first admin's `admin add`). */
async function rootForFirstAdmin(
  store: PrincipalStore,
  name: string,
  outFile: string | undefined,
): Promise<MadeRoot | undefined> {
  if (store.adminKeys.root !== undefined) {
    if (outFile !== undefined) throw rootExists(store, "admin add --root-key-out");
    return undefined;
  }
  // Before the root is made: a name that is taken makes nothing.
  if (store.listAdmins().some((admin) => admin.name === name)) {
    throw new AdminNameError(name, "taken");
  }
  return makeFleetRoot(store, outFile);
}

/** The data folder's principal store (`--data` or `--config`). */
export async function openStore(flags: CommonFlags): Promise<PrincipalStore> {
  const logger: Logger = makeCliLogger(flags);
  return PrincipalStore.open(await dataDirectoryOf(flags), logger);
}
