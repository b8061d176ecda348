import { readFile, unlink, writeFile } from "node:fs/promises";
import { recordRootKey, TrustRefused } from "@outpost/relay";
import { generateRootKey, openRootKey } from "@outpost/shared-model";
import type { StartData } from "./data-folder.js";

/**
 * The fleet's root key for `npm start`: made on the first run, its recovery key kept in the data
 * folder (mode 0600) so this machine's dashboard can approve its admin's key. That is a
 * single-machine demo's shortcut; a real relay's recovery key is printed once by `outpost-relay
 * admin add` and kept offline (docs/OPERATIONS.md, "Keys and recovery").
 */
export async function fleetRootKey(data: StartData, say: (line: string) => void): Promise<void> {
  const saved = await readFile(data.rootKeyFile, "utf8").catch(() => undefined);
  if (saved !== undefined) {
    await recordRootKey(data.relay, (await openRootKey(saved)).publicKey);
    return;
  }
  const root = await generateRootKey();
  await writeFile(data.rootKeyFile, `${root.recoveryKey}\n`, { mode: 0o600, flag: "wx" });
  try {
    await recordRootKey(data.relay, root.publicKey);
  } catch (error) {
    await unlink(data.rootKeyFile);
    if (!(error instanceof TrustRefused)) throw error;
    // A relay folder whose recovery key file is gone: it keeps its root, and admin keys are
    // approved with the recovery key wherever it is now.
    say(
      `The relay in ${data.relay} has a root key whose recovery key is not in ${data.rootKeyFile}.`,
    );
    return;
  }
  say(`The fleet's root key is made (${root.fleet}).`);
  say(`  Its recovery key is in ${data.rootKeyFile} (mode 0600): fine for a demo on one machine;`);
  say('  on a real relay, keep it offline (docs/OPERATIONS.md, "Keys and recovery").');
}
