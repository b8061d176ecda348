import { join } from "node:path";
import {
  type AgentFileConfig,
  type AgentState,
  AgentStateStore,
  writeAgentConfig,
} from "@outpost/agent";
import { type AgentProcess, spawnAgent } from "@outpost/agent/testing";
import type { Cleanup } from "@outpost/shared-model/testing";

/** How long an agent that was asked to stop may take before it is killed in a clean-up. */
const STOP_GRACE_MS = 10_000;

/** An agent CLI's settings: its folder's name, its relay and what its config says. */
export interface AgentCliOptions {
  /** Names the agent's folder (`outpost-agent-<name>-…`). */
  name: string;
  relayUrl: string;
  enrollmentSecret: string;
  /** Default 10. */
  sampleIntervalS?: number;
  logLevel?: AgentFileConfig["log_level"];
  /** Extra environment for every start: a scaled clock, say. */
  env?: Readonly<Record<string, string>>;
}

/**
 * `outpost-agent run` from source as a device runs it: a folder of its own with its config
 * (written by `writeAgentConfig`) and its data, started, stopped and killed as the test says,
 * keeping its data from one start to the next. A start still running at clean-up is stopped
 * (killed after 10 s) before the folder goes.
 */
export class AgentCli {
  readonly folder: string;
  readonly config: string;
  /** The agent's data folder, `<folder>/data`. */
  readonly dataDirectory: string;
  readonly #env: Readonly<Record<string, string>>;
  readonly #cleanup: Cleanup;
  #current: AgentProcess | undefined;

  private constructor(folder: string, env: Readonly<Record<string, string>>, cleanup: Cleanup) {
    this.folder = folder;
    this.config = join(folder, "agent.toml");
    this.dataDirectory = join(folder, "data");
    this.#env = env;
    this.#cleanup = cleanup;
  }

  /** Makes the agent's folder and writes its config; nothing runs yet. */
  static async create(cleanup: Cleanup, options: AgentCliOptions): Promise<AgentCli> {
    const agent = new AgentCli(
      await cleanup.tempFolder(`agent-${options.name}`),
      options.env ?? {},
      cleanup,
    );
    await writeAgentConfig(agent.config, {
      relay_url: options.relayUrl,
      enrollment_secret: options.enrollmentSecret,
      data: "data",
      sample_interval_seconds: options.sampleIntervalS ?? 10,
      log_level: options.logLevel,
    });
    return agent;
  }

  /** The latest start, running or not. */
  get process(): AgentProcess | undefined {
    return this.#current;
  }

  /** Starts the agent (`extraEnv` on top of the agent's own); see {@link untilConnected}. */
  start(extraEnv: Readonly<Record<string, string>> = {}): AgentProcess {
    const agent = spawnAgent(["run", "--config", this.config], { ...this.#env, ...extraEnv });
    this.#current = agent;
    this.#cleanup.defer(() => stopped(agent));
    return agent;
  }

  /** Starts the agent and resolves once it is connected to the relay. */
  async startConnected(timeoutMs = 60_000): Promise<AgentProcess> {
    const agent = this.start();
    await agent.waitForLine(
      (line) => line.msg === "connected to the relay",
      `agent ${this.folder} connecting`,
      timeoutMs,
    );
    return agent;
  }

  /** Stops the running agent as its service manager would (SIGTERM) and waits for its exit. */
  async stop(): Promise<void> {
    const agent = this.#current;
    if (agent === undefined || !running(agent)) return;
    agent.child.kill("SIGTERM");
    await agent.exited;
  }

  /** The agent's state file (its device ID and DeviceDoc), once it has run. */
  async state(): Promise<AgentState> {
    const state = await AgentStateStore.read(this.dataDirectory);
    if (state === undefined) throw new Error(`the agent in ${this.folder} wrote no state`);
    return state;
  }
}

function running(agent: AgentProcess): boolean {
  return agent.child.exitCode === null && agent.child.signalCode === null;
}

/** Stops `agent` if it still runs: SIGTERM, then SIGKILL if it has not exited within the grace. */
async function stopped(agent: AgentProcess): Promise<void> {
  if (!running(agent)) return;
  agent.child.kill("SIGTERM");
  const grace = setTimeout(() => agent.child.kill("SIGKILL"), STOP_GRACE_MS);
  await agent.exited;
  clearTimeout(grace);
}
