/**
 * Test support: the root key a test relay starts with, recorded in its data folder before the
 * relay opens it, as `outpost-relay root init` would.
 */
import { mkdir } from "node:fs/promises";
import type { NewRootKey } from "@outpost/shared-model";
import { generateRootKey, silentLogger } from "@outpost/shared-model";
import { PrincipalStore } from "../state/principal-store.js";

/**
 * Records `wanted`, or a new root, in `dataDirectory` and returns it; records nothing for `false`,
 * nor for a folder that has a root already when `wanted` is not given (a restart: the root is
 * the first start's, and its private half is not here).
 */
export async function recordTestRoot(
  dataDirectory: string,
  wanted?: NewRootKey | false,
): Promise<NewRootKey | undefined> {
  if (wanted === false) return undefined;
  await mkdir(dataDirectory, { recursive: true, mode: 0o700 });
  const store = await PrincipalStore.open(dataDirectory, silentLogger);
  try {
    if (wanted === undefined && store.adminKeys.root !== undefined) return undefined;
    const root = wanted ?? (await generateRootKey());
    await store.adminKeys.setRoot(root.publicKey);
    return root;
  } finally {
    store.close();
  }
}
