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
    if (item !== undefined) setOwn(copy, key, storedOf(item));
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
  if (Array.isArray(value)) return mapCopyOnWrite(value, plainOf);
  let copy: Record<string, unknown> | undefined;
  const keys = Object.keys(value);
  for (let index = 0; index < keys.length; index++) {
    const key = keys[index] as string;
    const item: unknown = (value as Record<string, unknown>)[key];
    const plain = plainOf(item);
    if (plain !== item && copy === undefined) {
      copy = {};
      for (const earlier of keys.slice(0, index))
        setOwn(copy, earlier, (value as Record<string, unknown>)[earlier]);
    }
    if (copy !== undefined) setOwn(copy, key, plain);
  }
  return copy ?? value;
}

const snapshotCopies = new WeakMap<object, unknown>();
/** Automerge's mark of a change's draft objects (its `IS_PROXY`, a registered symbol). */
const IS_PROXY = Symbol.for("_am_isProxy");

/**
 * True for an object of a change's draft: it is edited in place and hands out the same proxy for
 * an object across edits, so a plain copy of it must be made each time, never remembered.
 */
export function isDraft(value: object): boolean {
  return Reflect.get(value, IS_PROXY) === true;
}

/**
 * {@link toPlain} for a document snapshot, whose objects never change: each object's plain copy
 * is made once and remembered (a `WeakMap`), so an object a new snapshot shares with the last
 * keeps its plain copy too, down to a command's spec, priority and every event. The caches that
 * key on objects (folds, signature verdicts) then hold across snapshots. A change's draft is
 * converted, not remembered. Only for objects nobody edits in place (as `FoldCache`): a plain
 * object holding `ImmutableString`s and edited afterwards would keep its first copy here.
 */
export function toPlainSnapshot<T>(value: Stored<T> | T): T {
  return snapshotPlainOf(value) as T;
}

function snapshotPlainOf(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (!Array.isArray(value) && isImmutableString(value)) return value.val;
  const known = snapshotCopies.get(value);
  if (known !== undefined) return known;
  if (isDraft(value)) return plainOf(value);
  let plain: unknown;
  if (Array.isArray(value)) {
    plain = mapCopyOnWrite(value, snapshotPlainOf);
  } else {
    const record = value as Record<string, unknown>;
    let copy: Record<string, unknown> | undefined;
    const keys = Object.keys(record);
    for (let index = 0; index < keys.length; index++) {
      const key = keys[index] as string;
      const converted = snapshotPlainOf(record[key]);
      if (converted !== record[key] && copy === undefined) {
        copy = {};
        for (const earlier of keys.slice(0, index)) setOwn(copy, earlier, record[earlier]);
      }
      if (copy !== undefined) setOwn(copy, key, converted);
    }
    plain = copy ?? value;
  }
  snapshotCopies.set(value, plain);
  return plain;
}

/**
 * Sets an own property, also for the key `__proto__` (which an assignment would take as the
 * object's prototype): keys come from documents, which are untrusted input.
 */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__")
    Object.defineProperty(target, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  else target[key] = value;
}

/** `value` itself when it is a string, the string it holds when it is an `ImmutableString`. */
export function plainString(value: string | ImmutableString): string {
  return typeof value === "string" ? value : value.val;
}

/** `list` with `convert` applied to each item: `list` itself when no item changed. */
function mapCopyOnWrite(list: readonly unknown[], convert: (item: unknown) => unknown): unknown {
  let copy: unknown[] | undefined;
  for (let index = 0; index < list.length; index++) {
    const item: unknown = list[index];
    const converted = convert(item);
    if (converted !== item) copy ??= list.slice(0, index);
    copy?.push(converted);
  }
  return copy ?? list;
}
