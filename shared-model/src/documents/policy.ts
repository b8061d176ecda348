import { z } from "zod";
import type { Actor } from "../actors/actor.js";
import { policyShape } from "../validation/device-doc-schemas.js";
import { InvalidField, ValidationFailed } from "../validation/invalid-field.js";
import { isRecord } from "../validation/validated.js";
import { parseOrProblems } from "../validation/zod-issues.js";
import type {
  DeviceDoc,
  Policy,
  PolicyRecord,
  PolicyRegister,
  PolicySettings,
} from "./device-doc.js";

/** Every policy setting's name, in the order the dashboard shows them. */
export const POLICY_SETTINGS = Object.keys(policyShape) as (keyof PolicySettings)[];

/** One setting's register, whatever the setting. */
export type AnyPolicyRegister = PolicyRegister<PolicySettings[keyof PolicySettings]>;

/**
 * The registers an admin's edit writes, one per setting in `patch`, checked first.
 *
 * @throws ValidationFailed naming every bad setting; then nothing is to be written.
 */
export function draftPolicy(patch: Partial<PolicySettings>, actor: Actor): PolicyRecord {
  const problems: InvalidField[] = [];
  const record: Record<string, AnyPolicyRegister> = {};
  for (const [key, value] of Object.entries(patch) as [keyof PolicySettings, unknown][]) {
    if (value === undefined) continue;
    const schema: z.ZodType<unknown> = policyShape[key];
    const parsed = parseOrProblems(schema, value, `policy.${key}`);
    if (!parsed.ok) problems.push(...parsed.problems);
    else
      record[key] = {
        value: structuredClone(parsed.value) as AnyPolicyRegister["value"],
        setBy: actor.by,
        setAt: actor.at,
      };
  }
  if (problems.length > 0) throw new ValidationFailed("policy", problems);
  return record as PolicyRecord;
}

/**
 * Writes registers (from {@link draftPolicy}, signed or not) into a DeviceDoc inside one change.
 * Each replaces its setting's register whole, so a value and its signature always travel together.
 */
export function writePolicy(draft: DeviceDoc, registers: PolicyRecord): void {
  for (const [key, register] of Object.entries(registers) as [
    keyof PolicySettings,
    AnyPolicyRegister,
  ][]) {
    (draft.policy as Record<string, AnyPolicyRegister>)[key] = structuredClone(register);
  }
}

/**
 * An admin's edit of a device's policy, unsigned, inside one Automerge change: {@link draftPolicy}
 * then {@link writePolicy}. Agents apply only signed settings (the dashboard signs them; see
 * trust/signed-items.ts), so this serves documents no agent acts on, and tests.
 *
 * @throws ValidationFailed naming every bad setting; then nothing is written.
 */
export function updatePolicy(draft: DeviceDoc, patch: Partial<PolicySettings>, actor: Actor): void {
  writePolicy(draft, draftPolicy(patch, actor));
}

/** The settings in force: each register's value over `base` (the agent's own, or the defaults). */
export function policyValues(record: PolicyRecord, base: Readonly<Policy>): Policy {
  const values = structuredClone(base) as Policy;
  for (const [key, register] of Object.entries(record) as [
    keyof PolicySettings,
    AnyPolicyRegister | undefined,
  ][]) {
    if (register !== undefined)
      (values as unknown as Record<string, unknown>)[key] = register.value;
  }
  return values;
}

const registerMeta = {
  setBy: z.string().min(1).max(200),
  setAt: z.number().int().nonnegative(),
  signature: z.string().min(1).max(200).optional(),
};

/**
 * A policy record read from the network, register by register: a register whose value, author or
 * signature field is malformed is left out (the setting falls back to the agent's own value) and
 * reported with its path. A plain value where a register belongs (a version-1 document) is left
 * out the same way: nobody signed it.
 */
export function validatePolicyRecord(input: unknown): {
  value: PolicyRecord;
  problems: InvalidField[];
} {
  const problems: InvalidField[] = [];
  const value: Record<string, AnyPolicyRegister> = {};
  if (!isRecord(input)) {
    if (input !== undefined) problems.push(new InvalidField("policy", "a policy object", input));
    return { value, problems };
  }
  for (const key of POLICY_SETTINGS) {
    const raw = input[key];
    if (raw === undefined) continue;
    const path = `policy.${key}`;
    if (!isRecord(raw) || !("setBy" in raw)) {
      problems.push(new InvalidField(path, "a register { value, setBy, setAt, signature }", raw));
      continue;
    }
    const schema = z.object({ value: policyShape[key] as z.ZodType<unknown>, ...registerMeta });
    const parsed = parseOrProblems(schema, raw, path);
    if (parsed.ok) value[key] = parsed.value as AnyPolicyRegister;
    else problems.push(...parsed.problems);
  }
  return { value: value as PolicyRecord, problems };
}

/** The settings that differ between two policies, as `name: before → after` lines. */
export function policyChanges(before: Readonly<Policy>, after: Readonly<Policy>): string[] {
  const changes: string[] = [];
  for (const key of POLICY_SETTINGS) {
    const was = JSON.stringify(before[key]);
    const is = JSON.stringify(after[key]);
    if (was !== is) changes.push(`${key}: ${was} → ${is}`);
  }
  return changes;
}

/** The most recent edit of any setting, for "last edited by …" (`undefined` when none). */
export function lastPolicyEdit(record: PolicyRecord): { by: string; at: number } | undefined {
  let last: { by: string; at: number } | undefined;
  for (const register of Object.values(record) as (AnyPolicyRegister | undefined)[]) {
    if (register !== undefined && (last === undefined || register.setAt > last.at)) {
      last = { by: register.setBy, at: register.setAt };
    }
  }
  return last;
}
