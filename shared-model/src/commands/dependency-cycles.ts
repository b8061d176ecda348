import type { CommandId } from "../ids/ids.js";
import type { QueueEntries, QueueEntry } from "./queue-entries.js";
import { isWaiting } from "./state.js";

/**
 * The waiting commands that lie on a dependency cycle among waiting commands, each with one cycle
 * through it, in the order of `entries`. Such a cycle can never be satisfied, so the agent rejects its members rather than
 * waiting forever. (A cycle through a command that has run is no deadlock: its outcome settles
 * the commands that wait on it.)
 *
 * The strongly connected components are found once (Tarjan, linear), and only a command inside
 * a cyclic component is searched for its shortest cycle, within that component; the commands on
 * the cycle found share it. A search from every command over the whole graph cost seconds on a
 * 10,000-command queue with long dependency chains. Leaves its bookkeeping in each entry's
 * `search`.
 */
export function findDependencyCycles(entries: QueueEntries): Map<CommandId, DependencyCycle> {
  const cycles = new Map<CommandId, DependencyCycle>();
  if (everyDependencyIsOlder(entries)) return cycles;
  const componentOf = cyclicComponents(entries);
  // A cycle found for one member serves every member on it, from that member's place: searching
  // from each member of a ring of 10,000 commands would go round the ring 10,000 times.
  const known = new Map<QueueEntry, DependencyCycle>();
  for (const entry of entries.values()) {
    const component = componentOf.get(entry);
    if (component === undefined) continue;
    let cycle = known.get(entry);
    if (cycle === undefined) {
      const path = cycleThrough(entry, component);
      if (path === undefined) continue;
      const members = path.map((member) => member.id);
      path.forEach((member, from) => {
        if (!known.has(member)) known.set(member, { members, from });
      });
      cycle = { members, from: 0 };
    }
    cycles.set(entry.id, cycle);
  }
  return cycles;
}

/** A cycle of dependencies, read from `members[from]` round to it again. */
export interface DependencyCycle {
  members: readonly CommandId[];
  from: number;
}

/** How many commands of a cycle a reason names before it says how many more there are. */
const NAMED_IN_REASON = 8;

/**
 * The cycle as a reason says it: `a → b → c → a`, or for a long one the first few and the count
 * (a ring of 10,000 commands named in full, for each member, would be gigabytes of facts).
 */
export function describeCycle(cycle: DependencyCycle): string {
  const { members, from } = cycle;
  const count = Math.min(members.length, NAMED_IN_REASON);
  const named = Array.from({ length: count }, (_, k) => members[(from + k) % members.length]);
  const rest = members.length - count;
  const tail = rest > 0 ? ` → … ${rest} more → ` : " → ";
  return `${named.join(" → ")}${tail}${members[from]}`;
}

/**
 * True when every waiting command depends only on waiting commands created strictly before it:
 * then no cycle is possible, and the search is skipped. That is the usual queue, since an admin
 * can only name commands that already exist; clocks that disagree between admins, or a tampered
 * document, send the plan to the full search.
 */
function everyDependencyIsOlder(entries: QueueEntries): boolean {
  for (const entry of entries.values()) {
    const { dependsOn, createdAt } = entry.command.spec;
    if (dependsOn.length === 0 || !isWaiting(entry.state)) continue;
    for (const id of dependsOn) {
      const dependency = entries.get(id);
      if (dependency === undefined || !isWaiting(dependency.state)) continue;
      if (!(dependency.command.spec.createdAt < createdAt)) return false;
    }
  }
  return true;
}

/**
 * Each waiting command that lies on a cycle of waiting commands, mapped to the set of its
 * strongly connected component. Iterative, so a chain of 10,000 dependencies does not overflow
 * the stack. A command without dependencies is on no cycle, so the search starts only from those
 * that have some.
 */
function cyclicComponents(entries: QueueEntries): Map<QueueEntry, ReadonlySet<QueueEntry>> {
  const stack: QueueEntry[] = [];
  const result = new Map<QueueEntry, ReadonlySet<QueueEntry>>();
  let visited = 0;
  const enter = (entry: QueueEntry, path: QueueEntry[]) => {
    entry.search = {
      index: visited,
      lowLink: visited,
      onStack: true,
      next: waitingDependencies(entry, entries),
      position: 0,
    };
    visited += 1;
    stack.push(entry);
    path.push(entry);
  };

  for (const root of entries.values()) {
    if (root.search || root.command.spec.dependsOn.length === 0 || !isWaiting(root.state)) continue;
    const path: QueueEntry[] = [];
    enter(root, path);
    while (path.length > 0) {
      const entry = path[path.length - 1] as QueueEntry;
      const mark = entry.search as NonNullable<QueueEntry["search"]>;
      if (mark.position < mark.next.length) {
        const next = mark.next[mark.position] as QueueEntry;
        mark.position += 1;
        if (next.search === undefined) enter(next, path);
        else if (next.search.onStack) mark.lowLink = Math.min(mark.lowLink, next.search.index);
        continue;
      }
      path.pop();
      const parent = path[path.length - 1]?.search;
      if (parent !== undefined) parent.lowLink = Math.min(parent.lowLink, mark.lowLink);
      if (mark.lowLink !== mark.index) continue;
      const members = new Set<QueueEntry>();
      for (;;) {
        const member = stack.pop() as QueueEntry;
        (member.search as NonNullable<QueueEntry["search"]>).onStack = false;
        members.add(member);
        if (member === entry) break;
      }
      const cyclic = members.size > 1 || mark.next.includes(entry);
      if (cyclic) for (const member of members) result.set(member, members);
    }
  }
  return result;
}

/** The entries of `entry`'s dependencies that are waiting too. */
function waitingDependencies(entry: QueueEntry, entries: QueueEntries): QueueEntry[] {
  const dependencies: QueueEntry[] = [];
  for (const id of entry.command.spec.dependsOn) {
    const dependency = entries.get(id);
    if (dependency !== undefined && isWaiting(dependency.state)) dependencies.push(dependency);
  }
  return dependencies;
}

/**
 * Breadth-first search from `start` back to `start` within its component: the shortest cycle, for
 * a readable reason, as its members from `start` on (without `start` again at the end). A node
 * outside the component cannot lead back to `start`.
 */
function cycleThrough(
  start: QueueEntry,
  component: ReadonlySet<QueueEntry>,
): QueueEntry[] | undefined {
  const cameFrom = new Map<QueueEntry, QueueEntry>();
  const queue: QueueEntry[] = [start];
  for (let index = 0; index < queue.length; index += 1) {
    const current = queue[index] as QueueEntry;
    for (const next of current.search?.next ?? []) {
      if (next === start) return pathTo(current, start, cameFrom);
      if (cameFrom.has(next) || !component.has(next)) continue;
      cameFrom.set(next, current);
      queue.push(next);
    }
  }
  return undefined;
}

/** The BFS tree's path from `start` to `node`. */
function pathTo(
  node: QueueEntry,
  start: QueueEntry,
  cameFrom: ReadonlyMap<QueueEntry, QueueEntry>,
): QueueEntry[] {
  const path: QueueEntry[] = [node];
  let current = node;
  while (current !== start) {
    current = cameFrom.get(current) as QueueEntry;
    path.push(current);
  }
  return path.reverse();
}
