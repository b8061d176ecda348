import type { CommandId } from "../ids/ids.js";
import type { Command } from "./command.js";
import type { DependencyVerdict } from "./dependencies.js";
import type { CommandState } from "./state.js";

/**
 * One command as a plan works on it: the document's entry, its state so far in the plan, and the
 * plan's notes on it. The notes live on the entry rather than in maps of their own because a map
 * keyed by 10,000 IDs costs as much to fill as the rest of a plan's step.
 */
export interface QueueEntry {
  id: CommandId;
  command: Command;
  state: CommandState;
  /** Its dependencies' verdict, once computed; the last one computed in a plan is final. */
  verdict?: DependencyVerdict;
  /** Waiting commands that depend on it, directly or through a superseded dependency. */
  watchers?: QueueEntry[];
  /** The cycle search's bookkeeping (dependency-cycles.ts). */
  search?: CycleSearchMark;
}

/** Tarjan's bookkeeping for one command. */
export interface CycleSearchMark {
  index: number;
  lowLink: number;
  onStack: boolean;
  /** Dependencies that are waiting too, and how many have been visited. */
  next: readonly QueueEntry[];
  position: number;
}

/** Every command of a queue by ID, in code-unit order of the IDs (the same on every replica). */
export type QueueEntries = ReadonlyMap<CommandId, QueueEntry>;
