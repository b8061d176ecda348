import type { AgentPlan } from "./agent-plan.js";
import { ChildChannel, guarded } from "./child-channel.js";
import type { AgentCommand, AgentEvent, ServerAddress, SteadyStats } from "./messages.js";

const AGENT_PROCESS = new URL("./agent-process.ts", import.meta.url);
// Loading a day document takes 0.1-0.3 s; a thousand agents over two cores need minutes.
const PREPARE_TIMEOUT_MS = 30 * 60_000;

/**
 * The simulated agents, spread over a few child processes: each process holds its agents'
 * documents in one Automerge heap, and loading slows down as that heap grows, so a thousand
 * agents prepare much faster in four processes than in one.
 */
export class AgentPool {
  /** Every agent document and the heads the server must store, by document ID. */
  readonly documents: ReadonlyMap<string, readonly string[]>;
  readonly processes: readonly ChildChannel<AgentCommand, AgentEvent>[];

  private constructor(
    processes: ChildChannel<AgentCommand, AgentEvent>[],
    documents: Map<string, string[]>,
  ) {
    this.processes = processes;
    this.documents = documents;
  }

  /** Forks `processCount` agent processes and prepares every agent of `plan` (untimed). */
  static async prepare(plan: AgentPlan, processCount: number): Promise<AgentPool> {
    const count = Math.max(1, Math.min(processCount, plan.agents.length));
    const processes: ChildChannel<AgentCommand, AgentEvent>[] = [];
    try {
      for (let index = 0; index < count; index += 1) {
        processes.push(ChildChannel.fork(`agent #${index + 1}`, AGENT_PROCESS, []));
      }
      const prepared = processes.map((child, index) => {
        const reply = child.next("prepared", PREPARE_TIMEOUT_MS);
        child.send({
          type: "prepare",
          // Interleaved, so every process gets a similar mix of templates.
          agents: plan.agents.filter((_, agent) => agent % count === index),
          templates: plan.templates,
          day: plan.day,
          ticks: plan.ticks,
        });
        return reply;
      });
      const documents = new Map<string, string[]>();
      for (const reply of await Promise.all(prepared)) {
        for (const document of reply.documents) documents.set(document.documentId, document.heads);
      }
      return new AgentPool(processes, documents);
    } catch (error) {
      await Promise.all(processes.map((child) => child.kill()));
      throw error;
    }
  }

  /**
   * Connects every agent at once, or `connectsPerSecond` agents a second across the processes;
   * `tokens` and `relayPeerId` only for our relay.
   */
  connect(
    address: ServerAddress,
    tokens?: ReadonlyMap<string, string>,
    connectsPerSecond?: number,
  ): void {
    for (const child of this.processes) {
      child.send({
        type: "connect",
        ...(connectsPerSecond === undefined
          ? {}
          : { connectsPerSecond: connectsPerSecond / this.processes.length }),
        syncUrl: address.syncUrl,
        ...(tokens === undefined ? {} : { tokens: Object.fromEntries(tokens) }),
        ...(address.relayPeerId === undefined ? {} : { relayPeerId: address.relayPeerId }),
      });
    }
  }

  /** Calls `listener` with every document whose heads the relay acknowledged as stored. */
  onAcknowledged(listener: (documentId: string) => void): void {
    for (const child of this.processes) {
      child.on("acknowledged", (event) => {
        for (const documentId of event.documentIds) listener(documentId);
      });
    }
  }

  /** Starts the steady state in every agent process (see steady-traffic.ts). */
  steady(options: { sampleIntervalMs: number; heartbeatIntervalMs: number }): void {
    for (const child of this.processes) child.send({ type: "steady", ...options });
  }

  /**
   * CPU seconds of all agent processes since they connected, connection errors seen, and the
   * steady state's counts once it started (ack lags: the worst process's percentiles).
   */
  async stats(): Promise<{ cpuSeconds: number; connectionErrors: number; steady?: SteadyStats }> {
    const replies = await guarded(
      this.processes,
      Promise.all(
        this.processes.map((child) => {
          const reply = child.next("stats", 60_000);
          child.send({ type: "stats" });
          return reply;
        }),
      ),
      60_000,
      "collecting agent statistics",
    );
    const steady = replies.flatMap((reply) => (reply.steady === undefined ? [] : [reply.steady]));
    return {
      cpuSeconds: replies.reduce((sum, reply) => sum + reply.cpuSeconds, 0),
      connectionErrors: replies.reduce((sum, reply) => sum + reply.connectionErrors, 0),
      ...(steady.length === 0 ? {} : { steady: combineSteady(steady) }),
    };
  }

  /** Ends every agent process. */
  async stop(): Promise<void> {
    await Promise.all(this.processes.map((child) => child.kill()));
  }
}

/** Sums the counts of every process; of the ack lags, each percentile's worst. */
function combineSteady(all: readonly SteadyStats[]): SteadyStats {
  const lags = all.flatMap((stats) => (stats.ackLagMs === null ? [] : [stats.ackLagMs]));
  const worst = (key: "p50" | "p95" | "max") => Math.max(...lags.map((lag) => lag[key]));
  return {
    samples: all.reduce((sum, stats) => sum + stats.samples, 0),
    heartbeats: all.reduce((sum, stats) => sum + stats.heartbeats, 0),
    acknowledged: all.reduce((sum, stats) => sum + stats.acknowledged, 0),
    unacknowledged: all.reduce((sum, stats) => sum + stats.unacknowledged, 0),
    ackLagMs:
      lags.length === 0 ? null : { p50: worst("p50"), p95: worst("p95"), max: worst("max") },
  };
}
