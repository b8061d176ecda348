/**
 * Opaque strings as Automerge scalars (docs/ARCHITECTURE.md, "Strings in documents").
 *
 * Automerge stores a plain JS string as collaborative text, one operation per character, and keeps
 * every operation of a document's history in memory. Nothing in a command is ever edited character
 * by character, so writers store its strings as `ImmutableString` scalars, one operation each
 * ({@link toStored}), and readers turn them back into strings at the document boundary
 * ({@link toPlain}). Documents written before hold text, which reads as plain strings: both forms
 * are read alike.
 */
import { ImmutableString, isImmutableString } from "@automerge/automerge";

/**
 * `T` as a document may hold it: every string either a plain string (text, written before strings
 * were stored as scalars) or an `ImmutableString`. A plain `T` is a `Stored<T>`, not the reverse.
 */
export type Stored<T> = T extends string
  ? T | ImmutableString
  : T extends readonly (infer Item)[]
    ? Stored<Item>[]
    : T extends object
      ? { [Key in keyof T]: Stored<T[Key]> }
      : T;

/**
 * A copy of `value` with every string wrapped as an `ImmutableString`, ready to be assigned inside
 * an Automerge change. Map keys stay keys; `undefined` fields are left out (Automerge cannot store
 * them). Already wrapped strings are kept.
 */
export function toStored<T>(value: T): Stored<T> {
  return storedOf(value) as Stored<T>;
}

function storedOf(value: unknown): unknown {
  if (typeof value === "string") return new ImmutableString(value);
  if (typeof value !== "object" || value === null) return value;
  // Lists first: `isImmutableString` says yes to an Automerge list proxy (a change's draft).
  if (Array.isArray(value)) return value.map(storedOf);
  if (isImmutableString(value)) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (item !== undefined) copy[key] = storedOf(item);
  }
  return copy;
}

/**
 * `value` with every `ImmutableString` turned back into its string. Copy on write: an object or
 * list that holds none is returned as it is (a document written before, or already plain), so
 * object identity, which the fold and verdict caches key on, survives for it.
 */
export function toPlain<T>(value: Stored<T> | T): T {
  return plainOf(value) as T;
}

function plainOf(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  // Lists first: `isImmutableString` says yes to an Automerge list proxy (a change's draft).
  if (!Array.isArray(value) && isImmutableString(value)) return value.val;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let index = 0; index < value.length; index++) {
      const item: unknown = value[index];
      const plain = plainOf(item);
      if (plain !== item) copy ??= value.slice(0, index);
      copy?.push(plain);
    }
    return copy ?? value;
  }
  let copy: Record<string, unknown> | undefined;
  const keys = Object.keys(value);
  for (let index = 0; index < keys.length; index++) {
    const key = keys[index] as string;
    const item: unknown = (value as Record<string, unknown>)[key];
    const plain = plainOf(item);
    if (plain !== item && copy === undefined) {
      copy = {};
      for (const earlier of keys.slice(0, index))
        copy[earlier] = (value as Record<string, unknown>)[earlier];
    }
    if (copy !== undefined) copy[key] = plain;
  }
  return copy ?? value;
}

/** `value` itself when it is a string, the string it holds when it is an `ImmutableString`. */
export function plainString(value: string | ImmutableString): string {
  return typeof value === "string" ? value : value.val;
}
