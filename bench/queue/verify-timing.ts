import { type QueueGuard, QueueVerdicts } from "@outpost/agent";
import {
  type DeviceDoc,
  type FleetTrust,
  FoldCache,
  isWaiting,
  liveCommands,
  TrustVerifier,
} from "@outpost/shared-model";

/** Medians of the agent's verification of a queue before it plans, ms. */
export interface VerifyTiming {
  /** Every waiting command's spec and priority checked (a fresh agent: nothing remembered). */
  coldMs: number;
  /** The same commands in a new snapshot (a change elsewhere): every verdict remembered. */
  warmMs: number;
  /** Waiting commands, whose spec and priority signatures the cold run checked. */
  waiting: number;
}

/**
 * Times `QueueVerdicts.check` over `doc` as the agent runs it before each plan: cold (a new
 * verifier and verdicts, as at the agent's start; `coldRuns` times) and warm (`warmRuns` new
 * snapshots of the same commands). Fold states are warm in both, so only verification counts.
 */
export async function timeVerification(
  doc: DeviceDoc,
  trust: FleetTrust,
  options: { coldRuns: number; warmRuns: number },
): Promise<VerifyTiming> {
  const folds = new FoldCache();
  let verdicts: QueueGuard | undefined;
  const fresh = async () => {
    const verifier = await TrustVerifier.create(trust.rootPublicKey);
    const status = { kind: "pinned" as const, verifier, generation: 0 };
    return new QueueVerdicts({ status, onChange: () => () => {} }, doc.deviceId);
  };
  const cold: number[] = [];
  for (let run = 0; run < options.coldRuns; run += 1) {
    verdicts = await fresh();
    const startedAt = performance.now();
    await verdicts.check(doc, folds.stateOf);
    cold.push(performance.now() - startedAt);
  }
  const warm: number[] = [];
  for (let run = 0; run < options.warmRuns + 2; run += 1) {
    const snapshot = { ...doc };
    const startedAt = performance.now();
    await verdicts?.check(snapshot, folds.stateOf);
    // The first two compile the hot path.
    if (run >= 2) warm.push(performance.now() - startedAt);
  }
  const waiting = liveCommands(doc.commands).filter(([, command]) =>
    isWaiting(folds.stateOf(command)),
  ).length;
  return { coldMs: median(cold), warmMs: median(warm), waiting };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}
