import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { CommandArgValue } from "@outpost/shared-model";
import { type CommandKind, type KindContext, outcomeOf, stringArg } from "../command-kind.js";

/** A script's file name: no folders, no leading dot, so it cannot leave the scripts folder. */
const SCRIPT_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const SHA256 = /^[0-9a-f]{64}$/;

async function check(
  args: Readonly<Record<string, CommandArgValue>>,
  context: KindContext,
): Promise<{ path: string; scriptArgs: string[] } | { problem: string }> {
  const name = stringArg(args, "name", SCRIPT_NAME);
  if ("problem" in name) return name;
  const sha256 = stringArg(args, "sha256", SHA256);
  if ("problem" in sha256) return sha256;
  const scriptArgs = args.args ?? [];
  if (!Array.isArray(scriptArgs)) return { problem: "args.args: expected a list of strings" };
  const path = join(context.scriptsFolder, name.value);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch {
    return { problem: `no script ${name.value} in ${context.scriptsFolder}` };
  }
  const actual = createHash("sha256").update(bytes).digest("hex");
  if (actual !== sha256.value) {
    return {
      problem: `script ${name.value} has sha256 ${actual}, not the ${sha256.value} the command names`,
    };
  }
  return { path, scriptArgs };
}

/**
 * `script.run`: runs a named script from the agent's scripts folder, refused unless the file's
 * sha256 matches the one in the command (checked again right before it runs).
 */
export const scriptRunKind: CommandKind = {
  name: "script.run",
  defaults: { timeoutS: 1_800, idempotent: false, interruptible: true, disruptive: false },
  validate: async (args, context) => {
    const checked = await check(args, context);
    return "problem" in checked ? checked.problem : undefined;
  },
  run: async (args, context, signal) => {
    const checked = await check(args, context);
    if ("problem" in checked) return { exitCode: null, durationMs: 0, error: checked.problem };
    const timeoutS =
      typeof args.timeoutS === "number" ? args.timeoutS : scriptRunKind.defaults.timeoutS;
    return outcomeOf(
      await context.runProcess(checked.path, checked.scriptArgs, {
        timeoutMs: timeoutS * 1000,
        signal,
      }),
    );
  },
};
