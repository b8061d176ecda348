import type { CommandId } from "../ids/ids.js";
import type { CommandSpec } from "./spec.js";

/**
 * The waiting commands that lie on a dependency cycle, each with one cycle through it (as a path
 * of IDs that starts and ends with that command). A cycle can never be satisfied, so the agent
 * rejects its members rather than waiting forever.
 */
export function findDependencyCycles(
  candidates: readonly CommandId[],
  specs: ReadonlyMap<CommandId, CommandSpec>,
): Map<CommandId, CommandId[]> {
  const cycles = new Map<CommandId, CommandId[]>();
  for (const start of candidates) {
    const path = cycleThrough(start, specs);
    if (path) cycles.set(start, path);
  }
  return cycles;
}

/** Breadth-first search from `start` back to `start`; the shortest cycle, for a readable reason. */
function cycleThrough(
  start: CommandId,
  specs: ReadonlyMap<CommandId, CommandSpec>,
): CommandId[] | undefined {
  const cameFrom = new Map<CommandId, CommandId>();
  const queue: CommandId[] = [start];
  for (let index = 0; index < queue.length; index += 1) {
    const current = queue[index] as CommandId;
    for (const next of specs.get(current)?.dependsOn ?? []) {
      if (next === start) return [...pathTo(current, start, cameFrom), start];
      if (cameFrom.has(next) || !specs.has(next)) continue;
      cameFrom.set(next, current);
      queue.push(next);
    }
  }
  return undefined;
}

function pathTo(
  node: CommandId,
  start: CommandId,
  cameFrom: ReadonlyMap<CommandId, CommandId>,
): CommandId[] {
  const path: CommandId[] = [node];
  let current = node;
  while (current !== start) {
    current = cameFrom.get(current) as CommandId;
    path.unshift(current);
  }
  return path;
}
