import type { StormFigures } from "./storm-run.js";

/** One storm's figures, or why it has none (the server crashed, say). */
export type StormOutcome = { figures: StormFigures } | { error: string };

/**
 * What a run measured: ours against the reference under the same load. A figure is `null` when
 * the storm that would give it failed (`error`, `referenceError`) or, for `seconds`, when some
 * durable acks never came (`missingAcks`).
 */
export interface RelayStormResult {
  agents: number;
  documents: number;
  ticks: number;
  /** Ours: until every agent held a durable ack covering both its documents' heads. */
  seconds: number | null;
  /** Reference (no acks): until its storage had written every document at the agents' heads. */
  referenceSeconds: number | null;
  /** `seconds / referenceSeconds`; the target is at most 1.1. */
  ratio: number | null;
  /** Ours by the reference's criterion (storage wrote every document): like for like. */
  storedSeconds: number | null;
  storedRatio: number | null;
  /** Documents of ours whose durable ack never came. */
  missingAcks: number | null;
  peakRssMb: number | null;
  referencePeakRssMb: number | null;
  serverCpuSeconds: number | null;
  referenceServerCpuSeconds: number | null;
  /** TCP payload bytes the server read during the storm. */
  bytesReceived: number | null;
  referenceBytesReceived: number | null;
  /** Websocket payload bytes by our relay's own metric. */
  frameBytesReceived: number | null;
  /** What our relay logged during the run (stderr, at its default level). */
  relayLogBytes: number | null;
  agentCpuSeconds: number | null;
  referenceAgentCpuSeconds: number | null;
  connectionErrors: number | null;
  referenceConnectionErrors: number | null;
  /**
   * The baseline (the reference's design on automerge-repo 2.5, Automerge 3 and our storage; see
   * start-baseline.ts), by the storage criterion: what the relay adds is `seconds` against this.
   */
  baselineSeconds: number | null;
  baselineRatio: number | null;
  baselineStoredRatio: number | null;
  baselinePeakRssMb: number | null;
  baselineServerCpuSeconds: number | null;
  baselineBytesReceived: number | null;
  /** Ours, with `--steady-minutes`: the steady state after the storm (null when not run). */
  steady: {
    minutes: number;
    relayCpuPercent: number;
    relayRssMb: number;
    relayPeakRssMb: number;
    agentCpuPercent: number;
    samples: number;
    heartbeats: number;
    acknowledged: number;
    unacknowledged: number;
    ackLagMs: { p50: number; p95: number; max: number } | null;
  } | null;
  agentProcesses: number;
  templates: number;
  preparationSeconds: number;
  error?: string;
  referenceError?: string;
  /** Ours: why the steady state asked for gave no figures (the storm's still stand). */
  steadyError?: string;
  baselineError?: string;
}

/** The outcome of each storm of a run. */
export interface RunOutcomes {
  ours: StormOutcome;
  reference: StormOutcome;
  baseline: StormOutcome;
}

/** The result of a run from its two outcomes and its setup. */
export function summarize(
  setup: Pick<
    RelayStormResult,
    "agents" | "ticks" | "agentProcesses" | "templates" | "preparationSeconds"
  >,
  { ours, reference, baseline }: RunOutcomes,
): RelayStormResult {
  const o = "figures" in ours ? ours.figures : undefined;
  const r = "figures" in reference ? reference.figures : undefined;
  const b = "figures" in baseline ? baseline.figures : undefined;
  const ratio = (a: number | null | undefined, b: number | undefined) =>
    a == null || b === undefined ? null : round(a / b);
  return {
    agents: setup.agents,
    documents: setup.agents * 2,
    ticks: setup.ticks,
    seconds: roundOrNull(o?.seconds),
    referenceSeconds: roundOrNull(r?.storedSeconds),
    ratio: ratio(o?.seconds, r?.storedSeconds),
    storedSeconds: roundOrNull(o?.storedSeconds),
    storedRatio: ratio(o?.storedSeconds, r?.storedSeconds),
    missingAcks: o?.missingAcks ?? null,
    peakRssMb: o ? megabytes(o.server.peakRssBytes) : null,
    referencePeakRssMb: r ? megabytes(r.server.peakRssBytes) : null,
    serverCpuSeconds: roundOrNull(o?.server.cpuSeconds),
    referenceServerCpuSeconds: roundOrNull(r?.server.cpuSeconds),
    bytesReceived: o?.server.bytesReceived ?? null,
    referenceBytesReceived: r?.server.bytesReceived ?? null,
    frameBytesReceived: o?.server.frameBytesReceived ?? null,
    relayLogBytes: o?.serverLogBytes ?? null,
    agentCpuSeconds: roundOrNull(o?.agentCpuSeconds),
    referenceAgentCpuSeconds: roundOrNull(r?.agentCpuSeconds),
    connectionErrors: o?.connectionErrors ?? null,
    referenceConnectionErrors: r?.connectionErrors ?? null,
    baselineSeconds: roundOrNull(b?.storedSeconds),
    baselineRatio: ratio(o?.seconds, b?.storedSeconds),
    baselineStoredRatio: ratio(o?.storedSeconds, b?.storedSeconds),
    baselinePeakRssMb: b ? megabytes(b.server.peakRssBytes) : null,
    baselineServerCpuSeconds: roundOrNull(b?.server.cpuSeconds),
    baselineBytesReceived: b?.server.bytesReceived ?? null,
    steady:
      o?.steady === undefined
        ? null
        : {
            minutes: round(o.steady.seconds / 60),
            relayCpuPercent: round(o.steady.relayCpuPercent),
            relayRssMb: megabytes(o.steady.relayRssBytes),
            relayPeakRssMb: megabytes(o.steady.relayPeakRssBytes),
            agentCpuPercent: round(o.steady.agentCpuPercent),
            ...o.steady.traffic,
          },
    agentProcesses: setup.agentProcesses,
    templates: setup.templates,
    preparationSeconds: round(setup.preparationSeconds),
    ...("error" in ours ? { error: ours.error } : {}),
    ...(o?.steadyError === undefined ? {} : { steadyError: o.steadyError }),
    ...("error" in reference ? { referenceError: reference.error } : {}),
    ...("error" in baseline ? { baselineError: baseline.error } : {}),
  };
}

/** Human-readable lines about one storm. */
export function describeOutcome(name: string, outcome: StormOutcome): string[] {
  if ("error" in outcome) return [`${name}: FAILED: ${outcome.error}`];
  const { figures } = outcome;
  const done =
    figures.seconds === null
      ? `${figures.missingAcks} documents never got a durable ack`
      : `done in ${figures.seconds.toFixed(2)} s`;
  return [
    `${name}: ${done} (storage wrote everything at ${figures.storedSeconds.toFixed(2)} s)`,
    `  server: peak RSS ${megabytes(figures.server.peakRssBytes)} MB, CPU ${figures.server.cpuSeconds.toFixed(2)} s, received ${figures.server.bytesReceived} B, logged ${figures.serverLogBytes} B`,
    `  agents: CPU ${figures.agentCpuSeconds.toFixed(2)} s, connection errors ${figures.connectionErrors}, ${figures.verifiedDocuments} documents verified after restart`,
    ...(figures.steady === undefined ? [] : [describeSteady(figures.steady)]),
    ...(figures.steadyError === undefined ? [] : [`  steady state FAILED: ${figures.steadyError}`]),
  ];
}

function describeSteady(steady: NonNullable<StormFigures["steady"]>): string {
  const { traffic } = steady;
  const lag = traffic.ackLagMs;
  return `  steady state (${(steady.seconds / 60).toFixed(1)} min measured): relay CPU ${steady.relayCpuPercent.toFixed(1)} % of a core, RSS ${megabytes(steady.relayRssBytes)} MB (peak ${megabytes(steady.relayPeakRssBytes)} MB); agents CPU ${steady.agentCpuPercent.toFixed(1)} %; ${traffic.samples} samples, ${traffic.heartbeats} heartbeats, ${traffic.acknowledged} acks, ${traffic.unacknowledged} days waiting; ack lag p50 ${lag?.p50.toFixed(0)} ms, p95 ${lag?.p95.toFixed(0)} ms, max ${lag?.max.toFixed(0)} ms`;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function roundOrNull(value: number | null | undefined): number | null {
  return value == null ? null : round(value);
}

function megabytes(bytes: number): number {
  return Math.round((bytes / 1024 / 1024) * 10) / 10;
}
