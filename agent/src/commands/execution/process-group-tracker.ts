import type { CommandId, Logger } from "@outpost/shared-model";
import type { AgentStateStore } from "../../state/agent-state.js";
import { processStartTime, stopLeftoverGroup } from "./leftover-processes.js";
import { type ProcessRun, type RunOptions, runLowPriority } from "./run-process.js";

/**
 * Keeps the process group of every running command in the agent's state file (`commandProcesses`),
 * so that an agent killed at any moment leaves a record its successor can act on: a restarted
 * agent stops the groups its predecessor left running, and only those.
 */
export class ProcessGroupTracker {
  readonly #store: AgentStateStore;
  readonly #logger: Logger;

  constructor(options: { store: AgentStateStore; logger: Logger }) {
    this.#store = options.store;
    this.#logger = options.logger;
  }

  /**
   * Runs a command's process at low priority, with its process group recorded (and flushed) in
   * the agent's state before the command starts and while it runs.
   */
  async run(
    commandId: CommandId,
    file: string,
    args: readonly string[],
    options: RunOptions,
  ): Promise<ProcessRun> {
    let recorded: Promise<number> | undefined;
    const run = await runLowPriority(file, args, {
      ...options,
      // The command is held until its group is on disk (see RunOptions.onSpawn).
      onSpawn: async (pid) => {
        recorded = this.#record(commandId, pid);
        await recorded;
      },
    });
    if (recorded !== undefined) {
      // After the record is written, or a fast command would leave its entry behind.
      const pid = await recorded;
      this.#store.update((state) => {
        const processes = state.commandProcesses;
        if (processes?.[commandId]?.pid === pid) delete processes[commandId];
      });
    }
    return run;
  }

  /**
   * Stops the process groups a previous agent process recorded and left running (it was killed,
   * so nobody stopped its commands), then clears the records durably.
   */
  async stopLeftovers(): Promise<void> {
    const leftovers = Object.entries(this.#store.state.commandProcesses ?? {});
    for (const [commandId, recorded] of leftovers) {
      if (await stopLeftoverGroup(recorded)) {
        this.#logger.warn(
          { commandId, pid: recorded.pid },
          `stopped process group ${recorded.pid} of command ${commandId}, left running by an agent that was killed`,
        );
      }
    }
    if (leftovers.length === 0) return;
    this.#store.update((state) => {
      delete state.commandProcesses;
    });
    await this.#store.flush();
  }

  /** Records `pid` as `commandId`'s process group, durably; resolves with `pid`. */
  async #record(commandId: CommandId, pid: number): Promise<number> {
    const startTime = await processStartTime(pid);
    this.#store.update((state) => {
      state.commandProcesses = {
        ...state.commandProcesses,
        [commandId]: startTime === undefined ? { pid } : { pid, startTime },
      };
    });
    await this.#store.flush().catch((error) => {
      this.#logger.warn({ err: error }, `could not record the process of ${commandId}`);
    });
    return pid;
  }
}
