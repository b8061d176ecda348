import { type ChildProcess, spawn } from "node:child_process";
import { access } from "node:fs/promises";
import { join } from "node:path";
import { writeAgentConfig } from "@outpost/agent";
import { freePort } from "@outpost/shared-model/testing";
import { AGENT_NODE_FLAGS } from "../../agent/scripts/build-bundle.js";

/** The agent's sample interval, as installed (and the tick that re-plans the queue). */
export const INTERVAL_S = 10;

/**
 * Writes an agent config into `work` whose relay is a loopback port nobody listens on: the agent
 * retries with backoff and otherwise works offline, as a device far from any network would.
 * Returns the config's path; the data folder is `<work>/agent`.
 */
export async function writeOfflineAgentConfig(work: string): Promise<string> {
  const config = join(work, "agent.toml");
  await writeAgentConfig(config, {
    relay_url: `http://127.0.0.1:${await freePort()}`,
    enrollment_secret: "bench-queue-no-relay",
    data: "agent",
    sample_interval_seconds: INTERVAL_S,
    log_level: "error",
  });
  return config;
}

/** The real agent (the bundle, run by node with the agent's V8 flags) as a child process. */
export class AgentProcess {
  readonly #child: ChildProcess;

  private constructor(child: ChildProcess) {
    this.#child = child;
  }

  /** Starts `outpost-agent run --config FILE`; `nodeFlags` are extra (e.g. `--cpu-prof`). */
  static start(bundle: string, config: string, nodeFlags: readonly string[] = []): AgentProcess {
    const child = spawn(
      process.execPath,
      [...AGENT_NODE_FLAGS, ...nodeFlags, bundle, "run", "--config", config],
      { stdio: ["ignore", "ignore", "inherit"] },
    );
    return new AgentProcess(child);
  }

  /** The process ID; throws when the agent has died, which a measurement must not hide. */
  get pid(): number {
    if (this.#child.pid === undefined || this.#child.exitCode !== null) {
      throw new Error(`the agent exited (code ${this.#child.exitCode}) during the benchmark`);
    }
    return this.#child.pid;
  }

  /** Waits (up to `timeoutMs`) until `path` exists: a file the agent writes once it has started. */
  async waitForFile(path: string, timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      void this.pid; // throws if the agent died
      if (await exists(path)) return;
      if (performance.now() > deadline) {
        throw new Error(`the agent did not write ${path} within ${timeoutMs / 1000} s`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** SIGTERM, as a service manager stops it, and waits for the clean stop (state on disk). */
  async stop(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const closed = new Promise<void>((resolve) => this.#child.once("close", () => resolve()));
    this.#child.kill("SIGTERM");
    await closed;
    if (this.#child.exitCode !== 0) {
      throw new Error(`the agent did not stop cleanly (exit code ${this.#child.exitCode})`);
    }
  }

  /** Last resort for a failed run. */
  kill(): void {
    if (this.#child.exitCode === null && this.#child.signalCode === null) {
      this.#child.kill("SIGKILL");
    }
  }
}

function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
