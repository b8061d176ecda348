import { readFile } from "node:fs/promises";
import type { RootKey } from "@outpost/shared-model";
import { InvalidRecoveryKey, openRootKey, UsageError } from "@outpost/shared-model";

/** Where a signing command may find the recovery key. */
export interface RecoveryKeySources {
  /** `--root-key FILE`. */
  file?: string;
  /** The environment (`OUTPOST_ROOT_KEY`). */
  env: NodeJS.ProcessEnv;
  /** Standard input, read only when it is not a terminal (a pipe or a file). */
  stdin: NodeJS.ReadStream;
}

/**
 * Opens the fleet's recovery key for a command that signs with the root: from `--root-key FILE`,
 * else the `OUTPOST_ROOT_KEY` environment variable, else standard input when it is a pipe or a
 * file. Never from a prompt or an argument, so it stays out of shell history and `ps`.
 *
 * @throws UsageError naming the source when there is no recovery key or it is not a usable one
 */
export async function readRecoveryKey(
  command: string,
  sources: RecoveryKeySources,
): Promise<RootKey> {
  const { text, from } = await recoveryKeyText(command, sources);
  try {
    return await openRootKey(text);
  } catch (error) {
    if (error instanceof InvalidRecoveryKey)
      throw new UsageError(`${command}: ${from} holds ${error.message}`);
    throw error;
  }
}

async function recoveryKeyText(
  command: string,
  { file, env, stdin }: RecoveryKeySources,
): Promise<{ text: string; from: string }> {
  if (file !== undefined) {
    try {
      return { text: await readFile(file, "utf8"), from: `--root-key ${file}` };
    } catch (cause) {
      throw new UsageError(
        `${command}: cannot read --root-key ${file}: ${(cause as Error).message}`,
      );
    }
  }
  const fromEnv = env.OUTPOST_ROOT_KEY;
  if (fromEnv !== undefined && fromEnv.trim() !== "")
    return { text: fromEnv, from: "OUTPOST_ROOT_KEY" };
  if (!stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of stdin) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    if (text.trim() !== "") return { text, from: "standard input" };
  }
  throw new UsageError(
    `${command} signs with the fleet's recovery key (outpost-root-v1:…): pass --root-key FILE, set OUTPOST_ROOT_KEY, or pipe it on standard input`,
  );
}
