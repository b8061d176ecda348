/**
 * A command's spec as the DeviceDoc stores it (docs/ARCHITECTURE.md, "Strings in documents").
 *
 * The spec is written once by an admin and never edited, so it needs none of Automerge's merge
 * rules inside it: it is stored as one `ImmutableString` of its JSON, a single operation in the
 * document's history and a single value when the document is materialized, instead of a map with
 * a dozen fields, lists and nested objects (about half of a command's operations). Documents
 * written before hold the spec as a map, which reads as it always did.
 *
 * The JSON is canonical (RFC 8785, as signatures use): parsing it gives back an equal object (a
 * spec holds only strings, finite numbers, booleans, lists and objects, with no `undefined`
 * fields), so a stored spec verifies as the spec that was signed, and its keys come back sorted,
 * as Automerge hands out the keys of a spec stored as a map.
 */
import { ImmutableString, isImmutableString } from "@automerge/automerge";
import canonicalize from "canonicalize";
import type { Stored } from "../documents/stored-strings.js";
import type { CommandSpec } from "./spec.js";

/** A spec as a document may hold it: its JSON (now), or a map of stored strings (before). */
export type StoredSpec = ImmutableString | Stored<CommandSpec>;

/** The spec as it is written into a document: one `ImmutableString` of its canonical JSON. */
export function toStoredSpec(spec: CommandSpec): ImmutableString {
  const json = canonicalize(spec);
  if (json === undefined) throw new TypeError(`command ${spec.id}: its spec has no JSON form`);
  return new ImmutableString(json);
}

/** The parsed spec of each stored JSON scalar: snapshots share it, and so do the caches on it. */
const parsedSpecs = new WeakMap<ImmutableString, unknown>();

/**
 * The plain value of a stored spec that is JSON (an `ImmutableString`, or a string once a reader
 * such as `toPlain` unwrapped it): the parsed object, the same object for the same stored scalar
 * (signature verdicts and folds key on it). Any other value is returned as it is, for the caller
 * to read as before. JSON that does not parse is returned as its string: a malformed spec, which
 * validation names (`validCommand`) and nothing plans on.
 */
export function plainSpec(stored: unknown): unknown {
  if (typeof stored === "string") return parseSpec(stored);
  if (!isScalarString(stored)) return stored;
  let parsed = parsedSpecs.get(stored);
  if (parsed === undefined) {
    parsed = parseSpec(stored.val);
    parsedSpecs.set(stored, parsed);
  }
  return parsed;
}

/** True for a spec stored as JSON: an `ImmutableString`, or the string a reader unwrapped. */
export function isJsonSpec(stored: unknown): stored is string | ImmutableString {
  return typeof stored === "string" || isScalarString(stored);
}

/**
 * An `ImmutableString`, not an Automerge proxy: `isImmutableString` looks for its symbol as an own
 * property, which a list proxy claims to have; a map proxy (a spec written before) has no `val`.
 */
function isScalarString(value: unknown): value is ImmutableString {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    isImmutableString(value) &&
    typeof (value as { val?: unknown }).val === "string"
  );
}

function parseSpec(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
