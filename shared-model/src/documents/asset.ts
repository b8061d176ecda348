import type { Doc } from "@automerge/automerge";
import { getConflicts } from "@automerge/automerge";
import type { z } from "zod";
import type { Actor } from "../actors/actor.js";
import { compareCodeUnits } from "../util/compare-code-units.js";
import { assetShape } from "../validation/device-doc-schemas.js";
import { type InvalidField, ValidationFailed } from "../validation/invalid-field.js";
import { parseOrProblems } from "../validation/zod-issues.js";
import type { Asset, DeviceDoc } from "./device-doc.js";

/** The asset's fields an admin edits (without the record of who edited last). */
export type AssetFields = Omit<Asset, "updatedBy" | "updatedAt">;

/** The editable fields, in display order. */
export const ASSET_FIELDS = [
  "assignee",
  "lifecycle",
  "location",
  "tags",
  "notes",
] as const satisfies readonly (keyof AssetFields)[];

/**
 * An admin's edit of a device's asset record, inside one Automerge change. Each field is its own
 * last-writer-wins register: two admins who change different fields offline both keep their
 * edit, and two who change the same one leave a conflict that {@link assetConflicts} shows.
 * Unchanged fields are not written, so an edit never makes a conflict it did not need; writing
 * the value a conflicted field shows settles the conflict.
 *
 * @throws ValidationFailed naming every bad field; then nothing is written.
 */
export function updateAsset(draft: DeviceDoc, patch: Partial<AssetFields>, actor: Actor): void {
  const problems: InvalidField[] = [];
  for (const [key, value] of Object.entries(patch) as [keyof AssetFields, unknown][]) {
    if (!(ASSET_FIELDS as readonly string[]).includes(key)) continue;
    const schema: z.ZodType<unknown> = assetShape[key];
    const parsed = parseOrProblems(schema, value, `asset.${key}`);
    if (!parsed.ok) problems.push(...parsed.problems);
  }
  if (problems.length > 0) throw new ValidationFailed("asset", problems);
  const asset = draft.asset;
  let changed = false;
  for (const key of ASSET_FIELDS) {
    const value = patch[key];
    if (value === undefined) continue;
    // The same value is written again only to settle a conflict (a write replaces every value
    // concurrent admins left); otherwise it is left alone, so an edit makes no conflict needlessly.
    const same = JSON.stringify(asset[key]) === JSON.stringify(value);
    if (same && getConflicts(asset, key) === undefined) continue;
    // A fresh list or string each time: a register, not a merge of two admins' characters.
    (asset as unknown as Record<string, unknown>)[key] = Array.isArray(value) ? [...value] : value;
    changed = true;
  }
  if (!changed) return;
  asset.updatedBy = actor.by;
  asset.updatedAt = actor.at;
}

/**
 * Every value of an asset field that concurrent admins wrote and Automerge holds, the visible
 * one included; one value when there is no conflict. Sorted for a stable display.
 */
export function assetConflicts<K extends keyof AssetFields>(
  doc: Doc<DeviceDoc>,
  field: K,
): AssetFields[K][] {
  const conflicts = getConflicts(doc.asset, field);
  if (conflicts === undefined) return [doc.asset[field]];
  const schema = assetShape[field] as unknown as z.ZodType<AssetFields[K]>;
  return Object.values(conflicts)
    .flatMap((value) => {
      const parsed = schema.safeParse(
        typeof value === "object" && value !== null
          ? JSON.parse(JSON.stringify(value))
          : String(value),
      );
      return parsed.success ? [parsed.data] : [];
    })
    .sort((a, b) => compareCodeUnits(JSON.stringify(a), JSON.stringify(b)));
}
