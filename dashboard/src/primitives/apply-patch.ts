import { Counter, type Patch, type Prop } from "@automerge/automerge/slim";
import { plainSpec, toPlain } from "@outpost/shared-model";

/** A patch path that does not lead anywhere in the target: the projection is out of step. */
export class PatchPathError extends Error {
  override name = "PatchPathError";
}

type Container = Record<string, unknown> | unknown[];

/**
 * Applies one Automerge patch to a plain mutable copy of the document (a Solid store draft).
 * Text is stored as plain strings here, so text patches (`splice`, and `del` inside a string)
 * edit the string in its parent. Marks and conflict notices change no value and are ignored.
 *
 * @throws {PatchPathError} when the path does not exist in `target`.
 */
export function applyPatch(target: Container, patch: Patch): void {
  if (patch.action === "mark" || patch.action === "unmark" || patch.action === "conflict") return;
  const key = patch.path[patch.path.length - 1];
  if (key === undefined) throw new PatchPathError(`a ${patch.action} patch with an empty path`);
  const parentPath = patch.path.slice(0, -1);
  const parent = resolve(target, parentPath);
  if (typeof parent === "string") {
    editText(target, parentPath, parent, patch, key);
    return;
  }
  if (!isContainer(parent)) throw new PatchPathError(`no object at ${describe(parentPath)}`);
  switch (patch.action) {
    case "put":
      set(
        parent,
        key,
        plainValue(isCommandSpec(patch.path) ? plainSpec(patch.value) : patch.value),
      );
      return;
    case "del":
      if (Array.isArray(parent)) parent.splice(Number(key), patch.length ?? 1);
      else delete parent[String(key)];
      return;
    case "insert":
      if (!Array.isArray(parent)) throw new PatchPathError(`no list at ${describe(parentPath)}`);
      parent.splice(Number(key), 0, ...patch.values.map(plainValue));
      return;
    case "inc": {
      const current = Array.isArray(parent) ? parent[Number(key)] : parent[String(key)];
      set(parent, key, (typeof current === "number" ? current : 0) + patch.value);
      return;
    }
    case "splice":
      throw new PatchPathError(`a text splice at ${describe(patch.path)}, which is not text`);
  }
}

/** A text edit: `path` leads to the string; `key` is the index within it. */
function editText(target: Container, path: Prop[], text: string, patch: Patch, key: Prop): void {
  const index = Number(key);
  let next: string;
  if (patch.action === "splice") next = text.slice(0, index) + patch.value + text.slice(index);
  else if (patch.action === "del")
    next = text.slice(0, index) + text.slice(index + (patch.length ?? 1));
  else throw new PatchPathError(`a ${patch.action} patch inside the text at ${describe(path)}`);
  const owner = resolve(target, path.slice(0, -1));
  const ownerKey = path[path.length - 1];
  if (!isContainer(owner) || ownerKey === undefined) {
    throw new PatchPathError(`no object holds the text at ${describe(path)}`);
  }
  set(owner, ownerKey, next);
}

/**
 * A patch value as the store keeps it: a copy, a counter as its number (as in JSON), and an
 * `ImmutableString` (how commands store their strings) as its string.
 */
function plainValue(value: unknown): unknown {
  return value instanceof Counter ? value.value : structuredClone(toPlain<unknown>(value));
}

/**
 * `commands/<id>/spec` of a DeviceDoc: a spec is stored as one ImmutableString of its JSON
 * (shared-model commands/stored-spec.ts), and the store keeps it parsed, as readers expect a
 * command; a spec written before as a map arrives as a map and is kept as it is.
 */
export function isCommandSpec(path: readonly Prop[]): boolean {
  return path.length === 3 && path[0] === "commands" && path[2] === "spec";
}

function resolve(target: unknown, path: Prop[]): unknown {
  let current = target;
  for (const step of path) {
    if (!isContainer(current)) return undefined;
    current = Array.isArray(current) ? current[Number(step)] : current[String(step)];
  }
  return current;
}

function set(parent: Container, key: Prop, value: unknown): void {
  if (Array.isArray(parent)) parent[Number(key)] = value;
  else parent[String(key)] = value;
}

function isContainer(value: unknown): value is Container {
  return typeof value === "object" && value !== null;
}

function describe(path: Prop[]): string {
  return path.length === 0 ? "the root" : `/${path.join("/")}`;
}
