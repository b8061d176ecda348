import { unlink, writeFile } from "node:fs/promises";
import type { NewRootKey } from "@outpost/shared-model";
import { generateRootKey, UsageError } from "@outpost/shared-model";
import type { PrincipalStore } from "../state/principal-store.js";
import { TrustRefused } from "../state/trust-refused.js";

/** A root key just made and recorded, and where its recovery key goes. */
export interface MadeRoot {
  root: NewRootKey;
  /** The file holding the recovery key, or `undefined` when it goes to standard output. */
  file: string | undefined;
}

/**
 * Makes the fleet's root key and records its public half in the data folder. With `outFile` the
 * recovery key is written there first (mode 0600, never over an existing file), so a fleet never
 * gets a root whose recovery key was lost on the way; the file is removed again if the root cannot
 * be recorded. Without it, {@link handOverRoot} prints the recovery key.
 *
 * @throws UsageError for a file that exists or cannot be written, or a fleet that has a root
 */
export async function makeFleetRoot(
  store: PrincipalStore,
  outFile: string | undefined,
): Promise<MadeRoot> {
  const root = await generateRootKey();
  if (outFile !== undefined) {
    try {
      await writeFile(outFile, `${root.recoveryKey}\n`, { mode: 0o600, flag: "wx" });
    } catch (cause) {
      const error = cause as NodeJS.ErrnoException;
      throw new UsageError(
        error.code === "EEXIST"
          ? `--root-key-out ${outFile} exists; a recovery key is never written over another file`
          : `cannot write --root-key-out ${outFile}: ${error.message}`,
      );
    }
  }
  try {
    await store.adminKeys.setRoot(root.publicKey);
  } catch (error) {
    if (outFile !== undefined) await unlink(outFile).catch(() => {});
    if (error instanceof TrustRefused) throw new UsageError(error.message);
    throw error;
  }
  return { root, file: outFile };
}

/**
 * Hands the recovery key to the operator, once: on standard output (or it is already in the
 * file), with a note on standard error on keeping it offline.
 */
export function handOverRoot({ root, file }: MadeRoot): void {
  if (file === undefined) process.stdout.write(`${root.recoveryKey}\n`);
  process.stderr.write(
    [
      `The fleet's root key is made: ${root.fleet} (agents pin this fingerprint).`,
      file === undefined
        ? "Its recovery key is printed above, this once; the relay keeps only the public half."
        : `Its recovery key is in ${file} (mode 0600); the relay keeps only the public half.`,
      "Keep the recovery key offline (a password manager, or on paper in a safe): whoever holds it",
      "can approve admin keys, and without it no new admin key can be approved.",
      "",
    ].join("\n"),
  );
}

/** The `--root-key-out` refusal for a fleet that has its root already. */
export function rootExists(store: PrincipalStore, what: string): UsageError {
  return new UsageError(
    `${what}: this fleet already has a root key (${store.adminKeys.root?.fleet}); "outpost-relay root show" prints it. A root key cannot be replaced yet (docs/OPERATIONS.md, "Keys and recovery")`,
  );
}
