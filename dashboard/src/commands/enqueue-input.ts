import type { CommandId, EnqueueInput } from "@outpost/shared-model";
import { argsFromForm, KIND_FORMS } from "./command-kinds.js";

/** What the enqueue form holds, as its inputs give it (text, unparsed). */
export interface EnqueueFields {
  kind: string;
  /** The kind's argument inputs by name. */
  values: Readonly<Record<string, string>>;
  priority: number;
  /** Only in the maintenance window. */
  maintenance: boolean;
  /** `datetime-local` values in the admin's local time; empty when not set. */
  notBefore: string;
  expiresAt: string;
  dedupeKey: string;
  dependsOn: readonly CommandId[];
}

/**
 * The command to enqueue that the form's fields describe, or the first problem with them, named
 * as the form labels it. The command's ID is left to whoever writes it, so the same input can go
 * to several devices as one operation. The shared model checks the spec again when it is written
 * (priority range, spec shape); this only catches what the form itself can get wrong.
 */
export function enqueueInputOf(
  fields: EnqueueFields,
): { input: Omit<EnqueueInput, "id"> } | { problem: string } {
  const form = KIND_FORMS.find((candidate) => candidate.kind === fields.kind);
  if (form === undefined) return { problem: `No command kind "${fields.kind}" in this dashboard` };
  const parsed = argsFromForm(form, fields.values);
  if ("problem" in parsed) return parsed;
  const notBefore = parseLocal(fields.notBefore);
  const expiresAt = parseLocal(fields.expiresAt);
  if (notBefore !== undefined && expiresAt !== undefined && expiresAt <= notBefore) {
    return { problem: "Expires must be after Not before" };
  }
  const dedupeKey = fields.dedupeKey.trim();
  return {
    input: {
      kind: form.kind,
      args: parsed.args,
      priority: fields.priority,
      window: fields.maintenance ? "maintenance" : "any",
      ...(notBefore !== undefined ? { notBefore } : {}),
      ...(expiresAt !== undefined ? { expiresAt } : {}),
      ...(dedupeKey ? { dedupeKey } : {}),
      ...(fields.dependsOn.length > 0 ? { dependsOn: [...fields.dependsOn] } : {}),
    },
  };
}

/** Epoch ms of a `datetime-local` value (the admin's local time), or `undefined` when empty. */
function parseLocal(value: string): number | undefined {
  if (value === "") return undefined;
  const at = new Date(value).getTime();
  return Number.isFinite(at) ? at : undefined;
}
