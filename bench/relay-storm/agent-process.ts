/**
 * Child process entry: a group of simulated agents. Each agent is an automerge-repo `Repo` (in
 * memory) holding its DeviceDoc and one day of telemetry, exactly what a real agent syncs after
 * a day offline. Agents are prepared first (untimed) and connect only when the main process says
 * so; with our relay they report each durable acknowledgement that covers a document's heads.
 *
 * Usage (by the benchmark only): `agent-process.ts`, then IPC (see messages.ts).
 */
import * as A from "@automerge/automerge";
import type { DocHandle, DocumentId, PeerId } from "@automerge/automerge-repo";
import { Repo } from "@automerge/automerge-repo";
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket";
import type { DeviceDoc, TelemetryDayDoc } from "@outpost/shared-model";
import {
  createDeviceDoc,
  isStoredHeadsMessage,
  parseDay,
  parseDeviceId,
  peerIdFor,
} from "@outpost/shared-model";
import type { AgentCommand, AgentEvent, AgentSpec, PreparedDocument } from "./messages.js";
import { spreadSourceAddresses } from "./source-addresses.js";
import { SteadyTraffic } from "./steady-traffic.js";

interface Agent {
  spec: AgentSpec;
  repo: Repo;
  device: DocHandle<DeviceDoc>;
  day: DocHandle<TelemetryDayDoc>;
  handles: DocHandle<unknown>[];
}

// Errors the websocket client adapter throws from its socket's error handler (it tolerates only
// ECONNREFUSED): a dropped connection, or an upgrade refused with an HTTP status (a server too
// busy to answer the upgrade in time says 408). The socket then closes and the adapter
// reconnects, as an agent would, so they are counted, not fatal.
const CONNECTION_ERRORS = new Set(["ECONNRESET", "EPIPE", "ETIMEDOUT"]);
const REFUSED_UPGRADE = /^Unexpected server response: (\d+)$/;

const send = (event: AgentEvent) => process.send?.(event);
const agents: Agent[] = [];
let cpuAtConnect = process.cpuUsage();
let connectionErrors = 0;
const acknowledged: string[] = [];
let steady: SteadyTraffic | undefined;
let ticksPerDay = 0;

const reportedErrors = new Set<string>();
process.on("uncaughtException", (error: NodeJS.ErrnoException) => {
  const kind =
    error.code !== undefined && CONNECTION_ERRORS.has(error.code)
      ? error.code
      : REFUSED_UPGRADE.exec(error.message)?.[0];
  if (kind !== undefined) {
    connectionErrors += 1;
    // Once per kind, so a storm of them does not flood the output.
    if (!reportedErrors.has(kind))
      process.stderr.write(`relay-storm agent: ${kind}; reconnecting\n`);
    reportedErrors.add(kind);
    return;
  }
  process.stderr.write(`relay-storm agent process: ${error.stack ?? error.message}\n`);
  process.exit(1);
});

// Without the main process there is nobody to report to.
process.on("disconnect", () => process.exit(0));
process.on("message", (command: AgentCommand) => {
  if (command.type === "prepare") {
    send({ type: "prepared", documents: prepare(command) });
  } else if (command.type === "connect") {
    connect(command);
  } else if (command.type === "steady") {
    steady = new SteadyTraffic();
    steady.start(
      agents.map(({ spec, day, device }) => ({
        deviceId: parseDeviceId(spec.deviceId),
        day,
        device,
        ticks: ticksPerDay,
        seed: Number.parseInt(spec.deviceId.replace(/\D/g, ""), 10) || 1,
      })),
      command,
    );
  } else {
    const cpu = process.cpuUsage(cpuAtConnect);
    send({
      type: "stats",
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      connectionErrors,
      ...(steady === undefined ? {} : { steady: steady.stats() }),
    });
  }
});

function prepare(command: Extract<AgentCommand, { type: "prepare" }>): PreparedDocument[] {
  const documents: PreparedDocument[] = [];
  ticksPerDay = command.ticks;
  for (const spec of command.agents) {
    const deviceId = parseDeviceId(spec.deviceId);
    const repo = new Repo({
      network: [],
      peerId: peerIdFor({ kind: "device", deviceId }, "storm") as PeerId,
      shareConfig: { announce: async () => true, access: async () => true },
    });
    const template = command.templates[spec.template];
    if (template === undefined)
      throw new Error(`agent ${spec.deviceId}: no template ${spec.template}`);
    const day = importDocument<TelemetryDayDoc>(repo, template, spec.dayDocumentId);
    // The agent's own change: the copy of a template becomes this device's day.
    day.change((doc) => {
      doc.deviceId = deviceId;
    });
    const device = importDocument<DeviceDoc>(
      repo,
      A.save(A.from(createDeviceDoc(deviceId))),
      spec.deviceDocumentId,
    );
    device.change((doc) => {
      doc.telemetry[parseDay(command.day)] = { url: day.url, samples: command.ticks };
    });
    const handles = [device, day] as DocHandle<unknown>[];
    agents.push({ spec, repo, device, day, handles });
    for (const handle of handles) {
      documents.push({
        documentId: handle.documentId,
        heads: A.getHeads(handle.doc() as A.Doc<unknown>),
      });
    }
  }
  return documents;
}

/** Puts saved bytes into `repo` under a document ID chosen by the plan. */
function importDocument<T>(repo: Repo, bytes: Uint8Array, documentId: string): DocHandle<T> {
  const handle = repo.import<T>(bytes, { docId: documentId as DocumentId });
  // Importing under a given ID leaves the handle loading; the bytes are the whole document.
  if (!handle.isReady()) handle.doneLoading();
  return handle;
}

function connect(command: Extract<AgentCommand, { type: "connect" }>): void {
  cpuAtConnect = process.cpuUsage();
  const { hostname } = new URL(command.syncUrl);
  if (hostname === "127.0.0.1") spreadSourceAddresses(hostname);
  const { connectsPerSecond } = command;
  agents.forEach((agent, index) => {
    if (connectsPerSecond === undefined) connectAgent(agent, command);
    else setTimeout(() => connectAgent(agent, command), (1000 * index) / connectsPerSecond);
  });
}

function connectAgent(agent: Agent, command: Extract<AgentCommand, { type: "connect" }>): void {
  const { relayPeerId } = command;
  if (relayPeerId !== undefined) {
    for (const handle of agent.handles) watchAcknowledgements(handle, relayPeerId);
  }
  const token = command.tokens?.[agent.spec.deviceId];
  const url =
    token === undefined ? command.syncUrl : `${command.syncUrl}?token=${encodeURIComponent(token)}`;
  // The stock adapter with its default retry interval (5 s), as an agent would use it. Shorter
  // intervals pile up sockets: each retry opens a new one without closing the last.
  agent.repo.networkSubsystem.addNetworkAdapter(new WebSocketClientAdapter(url));
}

/**
 * Reports `handle` once the relay says it stored heads that include the agent's own; in the
 * steady state, every later ack that covers what the agent wrote since.
 */
function watchAcknowledgements(handle: DocHandle<unknown>, relayPeerId: string): void {
  let done = false;
  handle.on("ephemeral-message", ({ message, senderId }) => {
    if (senderId !== relayPeerId || !isStoredHeadsMessage(message)) return;
    if (!handle.heads().every((head) => message.heads.includes(head))) return;
    steady?.acknowledged(handle.documentId);
    if (done) return;
    done = true;
    // Batched per turn of the event loop: one IPC message for a burst of acks.
    if (acknowledged.length === 0) setImmediate(flushAcknowledged);
    acknowledged.push(handle.documentId);
  });
}

function flushAcknowledged(): void {
  send({ type: "acknowledged", documentIds: acknowledged.splice(0) });
}
