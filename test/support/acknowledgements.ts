import type { Agent } from "@outpost/agent";
import type { Day } from "@outpost/shared-model";
import { eventually } from "@outpost/shared-model/testing";

/** Resolves once the relay has durably acknowledged the final heads of every one of `days`. */
export async function untilAcknowledged(
  agent: Agent,
  days: readonly Day[],
  timeoutMs = 60_000,
): Promise<void> {
  await eventually(
    () => days.every((day) => agent.days.isAcknowledged(day)),
    `durable acknowledgements of ${days.join(", ")}`,
    timeoutMs,
  );
}
