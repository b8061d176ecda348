import type { z } from "zod";
import type { Actor } from "../actors/actor.js";
import { policyShape } from "../validation/device-doc-schemas.js";
import { type InvalidField, ValidationFailed } from "../validation/invalid-field.js";
import { fieldsWithDefaults } from "../validation/validated.js";
import { parseOrProblems } from "../validation/zod-issues.js";
import type { DeviceDoc, Policy, PolicySettings } from "./device-doc.js";

/**
 * An admin's edit of a device's policy, inside one Automerge change. Each setting (and each part
 * of the window and the load thresholds) is written on its own, so two admins who change
 * different settings offline both keep their edit; `updatedBy` / `updatedAt` say who edited last.
 *
 * @throws ValidationFailed naming every bad setting; then nothing is written.
 */
export function updatePolicy(draft: DeviceDoc, patch: Partial<PolicySettings>, actor: Actor): void {
  const problems: InvalidField[] = [];
  for (const [key, value] of Object.entries(patch) as [keyof PolicySettings, unknown][]) {
    const schema: z.ZodType<unknown> = policyShape[key];
    const parsed = parseOrProblems(schema, value, `policy.${key}`);
    if (!parsed.ok) problems.push(...parsed.problems);
  }
  if (problems.length > 0) throw new ValidationFailed("policy", problems);
  const policy = draft.policy;
  if (patch.samplingIntervalS !== undefined) policy.samplingIntervalS = patch.samplingIntervalS;
  if (patch.maintenanceWindow !== undefined) {
    policy.maintenanceWindow.start = patch.maintenanceWindow.start;
    policy.maintenanceWindow.end = patch.maintenanceWindow.end;
  }
  if (patch.load !== undefined) Object.assign(policy.load, patch.load);
  if (patch.criticalProcessPatterns !== undefined)
    policy.criticalProcessPatterns = [...patch.criticalProcessPatterns];
  if (patch.allowShell !== undefined) policy.allowShell = patch.allowShell;
  if (patch.retainDays !== undefined) policy.retainDays = patch.retainDays;
  policy.updatedBy = actor.by;
  policy.updatedAt = actor.at;
}

/**
 * A policy read from the network, setting by setting: a bad setting keeps its `fallback` value
 * (on the agent, the one in force), and each problem is reported with its path.
 */
export function validatePolicy(
  input: unknown,
  fallback: Readonly<Policy>,
): { value: Policy; problems: InvalidField[] } {
  const problems: InvalidField[] = [];
  const value = fieldsWithDefaults(input, policyShape, fallback as Policy, "policy", problems);
  return { value, problems };
}

/** The settings that differ between two policies, as `name: before → after` lines. */
export function policyChanges(before: Readonly<Policy>, after: Readonly<Policy>): string[] {
  const changes: string[] = [];
  for (const key of Object.keys(policyShape) as (keyof Policy)[]) {
    if (key === "updatedBy" || key === "updatedAt") continue;
    const was = JSON.stringify(before[key]);
    const is = JSON.stringify(after[key]);
    if (was !== is) changes.push(`${key}: ${was} → ${is}`);
  }
  return changes;
}
