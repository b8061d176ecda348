import type { CommandId } from "@outpost/shared-model";

/** A device that did not get a command the others got, and why. */
export interface NotEnqueued {
  deviceId: string;
  reason: string;
}

/**
 * What an enqueue did, device by device. `refused`: the command itself was wrong, so no device
 * was written. `written`: each device got the whole command or nothing of it (one Automerge change
 * each), and the ones left without it are named with their reason.
 */
export type EnqueueReport =
  | { kind: "refused"; problem: string }
  | {
      kind: "written";
      id: CommandId;
      enqueued: readonly string[];
      notEnqueued: readonly NotEnqueued[];
    };

/** An enqueue's outcome as the form says it: what was done, and what went wrong. */
export interface EnqueueSummary {
  /** When the command reached at least one device: on how many. */
  done?: string;
  /** One line per reason, naming the devices it left without the command. */
  problems: readonly string[];
}

/** Device IDs named in one line at the most; the rest are counted. */
const NAMED_DEVICES = 10;

/**
 * The words for `report`, `label` naming the command ("shell command"). A partial enqueue says
 * both how many devices got the command and which did not, grouped by reason, so an admin can
 * select those and enqueue again once the cause is gone.
 */
export function summarizeEnqueue(report: EnqueueReport, label: string): EnqueueSummary {
  if (report.kind === "refused") return { problems: [report.problem] };
  const enqueued = report.enqueued.length;
  const total = enqueued + report.notEnqueued.length;
  const byReason = new Map<string, string[]>();
  for (const { deviceId, reason } of report.notEnqueued) {
    byReason.set(reason, [...(byReason.get(reason) ?? []), deviceId]);
  }
  const problems = [...byReason].map(
    ([reason, deviceIds]) => `Not enqueued on ${namesOf(deviceIds)}: ${reason}`,
  );
  if (enqueued === 0) return { problems };
  return {
    done:
      enqueued === total
        ? `Enqueued ${label} on ${enqueued} device(s).`
        : `Enqueued ${label} on ${enqueued} of ${total} devices.`,
    problems,
  };
}

function namesOf(deviceIds: readonly string[]): string {
  const named = deviceIds.slice(0, NAMED_DEVICES).join(", ");
  const more = deviceIds.length - NAMED_DEVICES;
  return more > 0 ? `${named} and ${more} more` : named;
}
