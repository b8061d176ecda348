import type { CommandEvent } from "@outpost/shared-model";

/** One event in words, for the command's log. */
export function describeEvent(event: CommandEvent): string {
  switch (event.type) {
    case "cancel-requested":
      return `asked to cancel${event.reason ? `: ${event.reason}` : ""}`;
    case "retry-requested":
      return "asked to retry";
    case "note":
      return `noted: ${event.text}`;
    case "accepted":
      return "accepted";
    case "rejected":
      return `rejected: ${event.reason}`;
    case "deferred":
      return `deferred (${event.reason})${event.detail ? `: ${event.detail}` : ""}`;
    case "started":
      return `started, attempt ${event.attempt}`;
    case "succeeded":
      return `succeeded (exit ${String(event.outcome.exitCode)})`;
    case "failed":
      return `failed (exit ${String(event.outcome.exitCode)}${event.outcome.error ? `, ${event.outcome.error}` : ""})`;
    case "retry-scheduled":
      return `retry at ${new Date(event.notBefore).toLocaleString()}`;
    case "interrupted":
      return "interrupted: the agent stopped while it ran";
    case "cancelled":
      return "cancelled";
    case "superseded":
      return `superseded by ${event.winner}`;
    case "blocked":
      return `blocked: ${event.reason}`;
    case "expired":
      return "expired";
    case "cancel-too-late":
      return "cancel too late: it cannot be interrupted";
    case "retry-declined":
      return `retry declined: ${event.reason}`;
    case "intent-rejected":
      return `request refused: ${event.reason}`;
  }
}
