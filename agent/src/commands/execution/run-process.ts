import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { constants, setPriority } from "node:os";
import { HeadTail } from "./head-tail.js";

/** Bytes of stdout and of stderr kept at each end (the 16 KiB). */
export const OUTPUT_LIMIT_BYTES = 16 * 1024;
/** After a timeout or cancel, how long the process group gets to exit before SIGKILL. */
const KILL_GRACE_MS = 5_000;
/** The PATH a command runs with: the agent's own environment (which may hold secrets) is not passed on. */
const SAFE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** What one run of a child process did. */
export interface ProcessRun {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  durationMs: number;
  stdout: string;
  stderr: string;
  /** Why it ended early or never ran: `timeout`, `cancelled`, or a spawn error. */
  error?: string;
}

/** How to run it. */
export interface RunOptions {
  timeoutMs: number;
  /** Aborting kills the whole process tree (a cancel while running). */
  signal?: AbortSignal;
  cwd?: string;
  /** Added to the sanitized environment (PATH, LANG, HOME only). */
  env?: Record<string, string>;
  outputLimitBytes?: number;
  /**
   * Called with the child's PID (its process group's ID on Unix) once it is spawned. On Unix the
   * command itself is held until the returned promise settles: the agent records the group
   * durably first, so a crash can never leave a running command it does not know of. If the
   * promise rejects, the command is not run.
   */
  onSpawn?: (pid: number) => Promise<void> | void;
}

/**
 * Exit code of a held start that was never released (the agent refused it, or died holding it):
 * the command did not run. 125 is what `env` and `nice` use for "could not run the command".
 */
export const NOT_RELEASED_EXIT_CODE = 125;

/**
 * Holds a command until the agent writes a line on its stdin, then becomes it (`exec`, same PID
 * and process group). End of input without the line (the agent refused, or was killed before it
 * recorded the group) exits without running anything. The command's stdin is then at its end,
 * as with "ignore".
 */
const HOLD_SCRIPT = `read -r release || exit ${NOT_RELEASED_EXIT_CODE}; exec "$@"`;

/**
 * Runs `file args` without disturbing the person at the device: at low priority (`nice -n 10`
 * and `ionice -c 3`, idle I/O, on Linux; below-normal on Windows), in its own process group so a
 * timeout or cancel kills everything it started, with a sanitized environment, and with the head
 * and tail of its output kept. Never throws: a spawn failure is a run with `error`.
 */
export function runLowPriority(
  file: string,
  args: readonly string[],
  options: RunOptions,
): Promise<ProcessRun> {
  const held = options.onSpawn !== undefined && process.platform !== "win32";
  const [niceCommand, niceArgs] = lowPriorityInvocation(file, args);
  const [command, commandArgs]: [string, string[]] = held
    ? ["/bin/sh", ["-c", HOLD_SCRIPT, "outpost-held", niceCommand, ...niceArgs]]
    : [niceCommand, niceArgs];
  const limit = options.outputLimitBytes ?? OUTPUT_LIMIT_BYTES;
  const stdout = new HeadTail(limit);
  const stderr = new HeadTail(limit);
  const startedAt = performance.now();
  return new Promise((resolve) => {
    let error: string | undefined;
    const child = spawn(command, commandArgs, {
      cwd: options.cwd,
      env: {
        PATH: SAFE_PATH,
        LANG: "C.UTF-8",
        ...(process.env.HOME ? { HOME: process.env.HOME } : {}),
        ...options.env,
      },
      detached: process.platform !== "win32",
      stdio: [held ? "pipe" : "ignore", "pipe", "pipe"],
      windowsHide: true,
    });
    if (process.platform === "win32" && child.pid !== undefined) {
      try {
        setPriority(child.pid, constants.priority.PRIORITY_BELOW_NORMAL);
      } catch {
        // already gone
      }
    }
    if (child.pid !== undefined && options.onSpawn) {
      const release = (go: boolean) => {
        // The holding shell may be gone already (killed by a cancel or timeout): nothing to do.
        child.stdin?.on("error", () => {});
        child.stdin?.end(go ? "go\n" : undefined);
      };
      Promise.resolve()
        .then(() => options.onSpawn?.(child.pid as number))
        .then(
          () => release(true),
          (refusal: unknown) => {
            error ??= `not started: ${refusal instanceof Error ? refusal.message : String(refusal)}`;
            release(false);
          },
        );
    }
    child.stdout?.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on("data", (chunk: Buffer) => stderr.push(chunk));
    const stopTree = (why: string) => {
      error ??= why;
      killTree(child.pid, "SIGTERM");
      setTimeout(() => killTree(child.pid, "SIGKILL"), KILL_GRACE_MS).unref();
    };
    const timer = setTimeout(
      () => stopTree(`timeout after ${options.timeoutMs} ms`),
      options.timeoutMs,
    );
    const onAbort = () => stopTree("cancelled");
    options.signal?.addEventListener("abort", onAbort, { once: true });
    if (options.signal?.aborted) onAbort();
    child.once("error", (spawnError) => {
      error ??= `could not start ${file}: ${spawnError.message}`;
    });
    child.once("close", (exitCode, signal) => {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      resolve({
        exitCode,
        signal,
        durationMs: Math.round(performance.now() - startedAt),
        stdout: stdout.text(),
        stderr: stderr.text(),
        ...(error === undefined ? {} : { error }),
      });
    });
  });
}

/** The command line that runs `file` at low CPU and I/O priority on this platform. */
function lowPriorityInvocation(file: string, args: readonly string[]): [string, string[]] {
  if (process.platform === "win32") return [file, [...args]];
  const niced = ["-n", "10"];
  if (process.platform === "linux" && existsSync("/usr/bin/ionice")) {
    return ["/usr/bin/nice", [...niced, "/usr/bin/ionice", "-c", "3", file, ...args]];
  }
  return ["nice", [...niced, file, ...args]];
}

/** Signals the process group (Unix) or ends the process tree (Windows); a gone one is fine. */
function killTree(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  if (process.platform === "win32") {
    spawn("taskkill", ["/pid", String(pid), "/T", "/F"], { stdio: "ignore", windowsHide: true });
    return;
  }
  try {
    process.kill(-pid, signal);
  } catch {
    // already exited
  }
}
