import { type ChildProcess, fork } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

// Children run TypeScript through tsx's loader, resolved here so that the child's working folder
// does not matter.
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

type Of<Union extends { type: string }, Type extends Union["type"]> = Extract<
  Union,
  { type: Type }
>;

/**
 * A forked child process of the benchmark (a server or a group of agents), spoken to through
 * typed IPC messages. If the child dies unexpectedly, every pending {@link next} rejects with
 * its name and exit code, so a crashed relay fails the run instead of hanging it.
 */
export class ChildChannel<Command extends { type: string }, Event extends { type: string }>
  implements Mortal
{
  readonly name: string;
  readonly #child: ChildProcess;
  readonly #exited: Promise<void>;
  readonly #failed: Promise<never>;
  #failure: Error | undefined;
  #killing = false;

  private constructor(name: string, child: ChildProcess) {
    this.name = name;
    this.#child = child;
    let fail: (error: Error) => void = () => {};
    this.#failed = new Promise((_, reject) => {
      fail = reject;
    });
    // Observed only when raced against something; a death after the race is not unhandled.
    this.#failed.catch(() => {});
    this.#exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        if (!this.#killing) {
          this.#failure = new Error(
            `the ${name} process exited during the run (code ${code}, signal ${signal}); see its error output`,
          );
          fail(this.#failure);
        }
        resolve();
      });
    });
  }

  /**
   * Forks `module` (a `.ts` file next to this one) with `args`. Its stderr is the benchmark's,
   * or the open file `stderr`.
   */
  static fork<C extends { type: string }, E extends { type: string }>(
    name: string,
    module: URL,
    args: string[],
    stderr: number | "inherit" = "inherit",
  ): ChildChannel<C, E> {
    const child = fork(fileURLToPath(module), args, {
      execArgv: ["--import", TSX_LOADER],
      // Structured clone, so Uint8Array template documents cross as bytes, not JSON arrays.
      serialization: "advanced",
      // The reference server prints to stdout; the benchmark's own stdout must stay clean.
      stdio: ["ignore", "ignore", stderr, "ipc"],
    });
    return new ChildChannel<C, E>(name, child);
  }

  /** Operating-system process ID. */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  send(command: Command): void {
    if (this.#failure) throw this.#failure;
    this.#child.send(command);
  }

  /** Calls `listener` for every event of `type`. */
  on<T extends Event["type"]>(type: T, listener: (event: Of<Event, T>) => void): void {
    this.#child.on("message", (message: Event) => {
      if (message.type === type) listener(message as Of<Event, T>);
    });
  }

  /** The next event of `type`; rejects after `timeoutMs` or if the child dies first. */
  next<T extends Event["type"]>(type: T, timeoutMs: number): Promise<Of<Event, T>> {
    return guarded(
      [this],
      new Promise((resolve) => {
        const listener = (message: Event) => {
          if (message.type !== type) return;
          this.#child.off("message", listener);
          resolve(message as Of<Event, T>);
        };
        this.#child.on("message", listener);
      }),
      timeoutMs,
      `waiting for "${type}" from the ${this.name} process`,
    );
  }

  /** Rejects when this child dies unexpectedly (never resolves). */
  failure(): Promise<never> {
    return this.#failed;
  }

  /** Kills the child (SIGKILL by default: no chance to flush) and waits until it is gone. */
  async kill(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    this.#killing = true;
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill(signal);
    await this.#exited;
  }
}

/** Anything that can die during a run: a child process. */
export interface Mortal {
  /** Rejects when it dies unexpectedly; never resolves. */
  failure(): Promise<never>;
}

/** `promise`, unless one of `children` dies or `timeoutMs` passes first. */
export function guarded<T>(
  children: readonly Mortal[],
  promise: Promise<T>,
  timeoutMs: number,
  what: string | (() => string),
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const doing = typeof what === "string" ? what : what();
      reject(new Error(`timed out after ${timeoutMs / 1000} s ${doing}`));
    }, timeoutMs);
  });
  return Promise.race([promise, timeout, ...children.map((child) => child.failure())]).finally(() =>
    clearTimeout(timer),
  );
}
