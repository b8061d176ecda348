import type { Command } from "./command.js";
import { fold } from "./fold.js";
import type { CommandState } from "./state.js";

/**
 * Remembers each command's folded state for as long as the command object lives. Automerge
 * documents are immutable snapshots that share every unchanged object with the previous one: a
 * new event gives its command a new object, and the other 9,999 commands of a queue keep theirs.
 * So a plan on the next snapshot folds only the commands that changed.
 *
 * Only for documents whose objects are never changed in place (Automerge's are not); a plain
 * object edited in place would keep its old state here.
 */
export class FoldCache {
  readonly #states = new WeakMap<Command, CommandState>();

  /** The state of `command`, folded once per command object. */
  readonly stateOf = (command: Command): CommandState => {
    let state = this.#states.get(command);
    if (state === undefined) {
      state = fold(command.spec, command.events);
      this.#states.set(command, state);
    }
    return state;
  };
}
