import { createHash } from "node:crypto";
import {
  type Actor,
  type AdminSigner,
  type CommandDraft,
  type CommandId,
  type DeviceDoc,
  type DeviceId,
  draftCommand,
  type EnqueueInput,
  insertCommand,
  recordFact,
  recordSigner,
  signCommand,
} from "@outpost/shared-model";
import { SeededRandom } from "./seeded-random.js";

/** The script every `script.run` command names; the benchmark puts it in the scripts folder. */
export const NOOP_SCRIPT = { name: "noop.sh", text: "#!/bin/sh\nexit 0\n" } as const;
const NOOP_SHA256 = createHash("sha256").update(NOOP_SCRIPT.text).digest("hex");

/** Shares of the queue (each drawn independently per command, from a seeded generator). */
const SHARES = {
  succeeded: 0.08,
  failed: 0.03,
  /** Pending with `notBefore` 1 to 30 days ahead. */
  notBefore: 0.15,
  /** 1 to 3 dependencies on earlier commands (so no cycles). */
  dependencies: 0.3,
  /** Opens a dedupe key that a later command may share. */
  dedupeFirst: 0.02,
  /** Shares the oldest open dedupe key, if any. */
  dedupeSecond: 0.02,
  /** `expiresAt` 30 to 90 days ahead (none expire during the run). */
  expires: 0.1,
  /** `script.run` of the no-op script; `inventory.collect` otherwise. */
  script: 0.25,
} as const;

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/**
 * In a queue with history, commands older than this have all ended (as they would on a device
 * that keeps up with its queue): 90 % succeeded, 10 % failed.
 */
const FINISHED_AFTER_DAYS = 30;
const HISTORY_FAILED_SHARE = 0.1;

/** One command of the benchmark's queue, with how it has ended, if it has. */
export interface BenchCommand {
  input: EnqueueInput & { id: CommandId };
  admin: Actor;
  outcome?: "succeeded" | "failed";
}

/** What the queue holds, as counted when it was drawn. */
export interface QueueMix {
  commands: number;
  succeeded: number;
  failed: number;
  notBefore: number;
  withDependencies: number;
  dedupePairs: number;
  scriptRuns: number;
}

/**
 * Draws `count` commands as admins would have enqueued them, up to `now`: over `historyDays`
 * (those older than 30 days all ended), or one a minute. Random
 * priorities 0–9, about 30 % with 1–3 dependencies on earlier commands, dedupe pairs, 8 %
 * succeeded and 3 % failed (their facts recorded by the agent), 15 % with `notBefore` days
 * ahead. Every command has `window: "maintenance"`, so none may start while the window is closed.
 */
export function drawBenchQueue(options: {
  count: number;
  seed: number;
  now: number;
  /**
   * Days the commands are spread over, evenly, up to `now`; those older than 30 days have ended.
   * 0: one a minute, all with the shares above (a backlog that built up in a week).
   */
  historyDays?: number;
}): {
  commands: BenchCommand[];
  mix: QueueMix;
} {
  const random = new SeededRandom(options.seed);
  const commands: BenchCommand[] = [];
  const succeededIds: CommandId[] = [];
  const openDedupeKeys: string[] = [];
  const mix: QueueMix = {
    commands: options.count,
    succeeded: 0,
    failed: 0,
    notBefore: 0,
    withDependencies: 0,
    dedupePairs: 0,
    scriptRuns: 0,
  };
  const historyDays = options.historyDays ?? 0;
  const spacingMs = historyDays > 0 ? (historyDays * DAY_MS) / options.count : MINUTE_MS;
  for (let index = 0; index < options.count; index += 1) {
    const createdAt = Math.round(options.now - (options.count - index) * spacingMs);
    const draw = random.next();
    const old = historyDays > 0 && createdAt < options.now - FINISHED_AFTER_DAYS * DAY_MS;
    const outcome = old
      ? draw < HISTORY_FAILED_SHARE
        ? "failed"
        : "succeeded"
      : draw < SHARES.succeeded
        ? "succeeded"
        : draw < SHARES.succeeded + SHARES.failed
          ? "failed"
          : undefined;
    const script = random.chance(SHARES.script);
    const input: BenchCommand["input"] = {
      id: `cmd-${random.hex(32)}` as CommandId,
      kind: script ? "script.run" : "inventory.collect",
      args: script ? { name: NOOP_SCRIPT.name, sha256: NOOP_SHA256 } : {},
      priority: random.integer(0, 9),
      window: "maintenance",
    };
    if (script) mix.scriptRuns += 1;
    // A finished command only depended on commands that succeeded; a waiting one on any.
    const candidates = outcome === undefined ? commands.map((c) => c.input.id) : succeededIds;
    if (candidates.length > 0 && random.chance(SHARES.dependencies)) {
      const dependsOn = new Set<CommandId>();
      const wanted = random.integer(1, 3);
      for (let attempt = 0; attempt < wanted; attempt += 1) {
        dependsOn.add(candidates[random.integer(0, candidates.length - 1)] as CommandId);
      }
      input.dependsOn = [...dependsOn];
      mix.withDependencies += 1;
    }
    if (openDedupeKeys.length > 0 && random.chance(SHARES.dedupeSecond)) {
      input.dedupeKey = openDedupeKeys.shift();
      mix.dedupePairs += 1;
    } else if (random.chance(SHARES.dedupeFirst)) {
      input.dedupeKey = `op-${index}`;
      openDedupeKeys.push(input.dedupeKey);
    }
    if (outcome === undefined && random.chance(SHARES.notBefore)) {
      input.notBefore = options.now + random.integer(1, 30) * DAY_MS;
      mix.notBefore += 1;
    }
    if (random.chance(SHARES.expires)) {
      input.expiresAt = options.now + random.integer(30, 90) * DAY_MS;
    }
    if (outcome !== undefined) mix[outcome] += 1;
    if (outcome === "succeeded") succeededIds.push(input.id);
    commands.push({ input, admin: { by: "admin:bench", at: createdAt }, outcome });
  }
  return { commands, mix };
}

/** A drawn command as its admin signed it for `device`, ready to be written. */
export interface SignedBenchCommand {
  draft: CommandDraft;
  outcome?: "succeeded" | "failed";
}

/**
 * Signs `commands` for `device` with `signer` (every spec and its first priority), as the
 * dashboard does before it writes them: the agent runs nothing else.
 */
export async function signBenchCommands(
  commands: readonly BenchCommand[],
  signer: AdminSigner,
  device: DeviceId,
): Promise<SignedBenchCommand[]> {
  const signed: SignedBenchCommand[] = [];
  for (const { input, admin, outcome } of commands) {
    const draft = await signCommand(signer, device, draftCommand(input, admin));
    signed.push({ draft, outcome });
  }
  return signed;
}

/**
 * Writes signed `commands` into a draft DeviceDoc (inside one Automerge change), with the key's
 * certificate, and records the agent's `started` and `succeeded` / `failed` facts of those that
 * have run.
 */
export function writeBenchCommands(
  draft: DeviceDoc,
  commands: readonly SignedBenchCommand[],
  signer: AdminSigner,
  agent: string,
): void {
  recordSigner(draft, signer.certificate);
  for (const { draft: command, outcome } of commands) {
    const id = insertCommand(draft, command);
    if (outcome === undefined) continue;
    const startedAt = command.spec.createdAt + MINUTE_MS;
    recordFact(draft, id, { type: "started", attempt: 1 }, { by: agent, at: startedAt });
    recordFact(
      draft,
      id,
      {
        type: outcome,
        outcome: { exitCode: outcome === "succeeded" ? 0 : 1, durationMs: 1_200 },
      },
      { by: agent, at: startedAt + 1_200 },
    );
  }
}
