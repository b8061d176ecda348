import { UsageError } from "@outpost/shared-model";
import type { PrincipalStore } from "../state/principal-store.js";
import { handOverRoot, makeFleetRoot, rootExists } from "./new-root.js";

/** Flags of `root init`. */
export interface RootFlags {
  "root-key-out"?: string;
}

/**
 * `root init [--root-key-out FILE]` makes the fleet's root key (the first `admin add` does too);
 * `root show` prints its fingerprint and public key, which install commands pin. Both work
 * whether or not a relay runs on the data folder: a running relay makes its TrustDoc within a
 * second of `root init`.
 */
export async function runRootCommand(
  args: string[],
  flags: RootFlags,
  store: PrincipalStore,
): Promise<void> {
  const [action, ...extra] = args;
  if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(" ")}`);
  if (action === "init") {
    if (store.adminKeys.root !== undefined) throw rootExists(store, "root init");
    handOverRoot(await makeFleetRoot(store, flags["root-key-out"]));
    return;
  }
  if (action === "show") {
    const root = store.adminKeys.root;
    if (root === undefined) {
      throw new UsageError(
        "root show: this fleet has no root key yet; make one with: outpost-relay root init (or admin add NAME)",
      );
    }
    process.stdout.write(`fingerprint\t${root.fleet}\npublic-key\t${root.publicKey}\n`);
    return;
  }
  throw new UsageError("root needs init [--root-key-out FILE] or show");
}
