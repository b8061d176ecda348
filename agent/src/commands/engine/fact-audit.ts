import {
  type AuditEntry,
  type CommandEntry,
  type CommandId,
  type FactInput,
  isArchived,
  type RunOutcome,
  SIGNATURE_PROBLEMS,
} from "@outpost/shared-model";

/**
 * The audit entry for a fact the agent (`agent`, `agent:<deviceId>`) recorded on `command` at
 * `at` (the day document keeps the device's audit trail). `actor` is who asked: the admin whose
 * intent the fact answers (a cancel, a retry), else the admin who enqueued the command. A
 * refusal for a signature names no one as having asked, since no one is proven to: the agent is
 * its actor, and the detail says whom the refused item claims.
 */
export function auditEntryForFact(
  id: CommandId,
  command: CommandEntry,
  fact: FactInput,
  at: number,
  agent: string,
): AuditEntry {
  const answered =
    "answers" in fact && fact.answers !== undefined
      ? command.events.find((event) => event.id === fact.answers)
      : undefined;
  // An archived command's spec is in its archive document; its mark says where.
  const live = isArchived(command) ? undefined : command;
  const claimed = answered?.by ?? live?.spec.createdBy ?? agent;
  const what = isArchived(command)
    ? `archived command (${command.archived.month})`
    : command.spec.kind;
  const detail = `${what} ${id}: ${describeFact(fact)}`;
  if (isSignatureRefusal(fact)) {
    return {
      at,
      actor: agent,
      action: `command-${fact.type}`,
      detail: `${detail} (written as ${claimed})`,
    };
  }
  return { at, actor: claimed, action: `command-${fact.type}`, detail };
}

/** A `rejected` or `intent-rejected` whose reason is a signature's problem. */
function isSignatureRefusal(fact: FactInput): boolean {
  if (fact.type !== "rejected" && fact.type !== "intent-rejected") return false;
  return SIGNATURE_PROBLEMS.some((problem) => fact.reason.startsWith(`${problem}:`));
}

/** One line on what the fact says, for a person reading the trail. */
function describeFact(fact: FactInput): string {
  switch (fact.type) {
    case "accepted":
      return "accepted";
    case "rejected":
      return `rejected: ${fact.reason}`;
    case "deferred":
      return `deferred (${fact.reason})${fact.detail ? `: ${fact.detail}` : ""}`;
    case "started":
      return `started, attempt ${fact.attempt}`;
    case "succeeded":
      return `succeeded: ${describeOutcome(fact.outcome)}`;
    case "failed":
      return `failed: ${describeOutcome(fact.outcome)}`;
    case "retry-scheduled":
      return `retry scheduled for ${new Date(fact.notBefore).toISOString()}`;
    case "interrupted":
      return "interrupted: the agent stopped while it ran";
    case "cancelled":
      return "cancelled";
    case "superseded":
      return `superseded by ${fact.winner} (same dedupe key)`;
    case "blocked":
      return `blocked by ${fact.dependency}: ${fact.reason}`;
    case "expired":
      return "expired before it could start";
    case "cancel-too-late":
      return "cancel arrived too late: the kind cannot be interrupted, so it runs to the end";
    case "retry-declined":
      return `retry declined: ${fact.reason}`;
    case "intent-rejected":
      return `request refused: ${fact.reason}`;
  }
}

function describeOutcome(outcome: RunOutcome): string {
  const parts = [
    `exit ${outcome.exitCode ?? "none"} after ${(outcome.durationMs / 1000).toFixed(1)} s`,
  ];
  if (outcome.error) parts.push(outcome.error);
  const { cpuPercentBefore, cpuPercentPeak } = outcome.metrics ?? {};
  if (cpuPercentBefore !== undefined && cpuPercentPeak !== undefined) {
    parts.push(`CPU ${cpuPercentBefore}% before, ${cpuPercentPeak}% at peak`);
  }
  return parts.join("; ");
}
