/**
 * The IPC protocol between the benchmark's main process and its children: one server process
 * (ours or the reference) and one or more agent processes. Types only, so a child that imports
 * them loads nothing else.
 */

/**
 * Which server a server process runs: our relay, the reference sync server package, or the
 * baseline (the reference's design on our automerge-repo version and storage; start-baseline.ts).
 */
export type ServerKind = "outpost" | "reference" | "baseline";

/** Where and how clients reach a started server. */
export interface ServerAddress {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** The websocket URL, without a token. */
  syncUrl: string;
  /** Ours only: the sender of durable acknowledgements. */
  relayPeerId?: string;
  /** Ours only: the fleet enrollment secret. */
  enrollmentSecret?: string;
  /** Ours only: an admin for the checker client, which must reach every document. */
  admin?: { name: string; token: string };
}

/** What a server process measured since the `mark` (the start of the timed part). */
export interface ServerStats {
  /** Highest resident set size since the mark (VmHWM, reset at the mark where Linux allows). */
  peakRssBytes: number;
  /** User plus system CPU time of the server process. */
  cpuSeconds: number;
  /** Resident set size when the stats were taken. */
  rssBytes: number;
  /** TCP payload bytes read by the server's sockets: HTTP upgrades and websocket frames. */
  bytesReceived: number;
  /** Ours only: websocket frame payload bytes, from `outpost_relay_received_bytes_total`. */
  frameBytesReceived?: number;
}

/** Main process → server process. */
export type ServerCommand = { type: "mark" } | { type: "stats" };

/** Server process → main process. */
export type ServerEvent =
  | { type: "listening"; address: ServerAddress }
  | { type: "marked" }
  /** The server's storage finished writing `documentId` at `heads` (hex change hashes). */
  | { type: "stored"; documentId: string; heads: string[] }
  | { type: "stats"; stats: ServerStats };

/** One simulated device: its identity and the IDs of its two documents. */
export interface AgentSpec {
  deviceId: string;
  deviceDocumentId: string;
  dayDocumentId: string;
  /** Which template day document this agent's day document is a copy of. */
  template: number;
}

/** A document an agent holds after preparation, with the heads the server must store. */
export interface PreparedDocument {
  documentId: string;
  /** Automerge change hashes (hex), as the server's storage sees them. */
  heads: string[];
}

/** Main process → agent process. */
export type AgentCommand =
  | { type: "prepare"; agents: AgentSpec[]; templates: Uint8Array[]; day: string; ticks: number }
  | {
      type: "connect";
      syncUrl: string;
      /** Ours only: device token by device ID. */
      tokens?: Record<string, string>;
      /** Ours only: whose stored-heads messages count. */
      relayPeerId?: string;
      /** Agents this process connects per second; all at once when absent. */
      connectsPerSecond?: number;
    }
  /** Steady state: every connected agent samples and beats until the process ends. */
  | { type: "steady"; sampleIntervalMs: number; heartbeatIntervalMs: number }
  | { type: "stats" };

/** What an agent process's steady-state traffic did since it started. */
export interface SteadyStats {
  /** Samples written (one Automerge change each into a day document). */
  samples: number;
  /** Heartbeats broadcast (ephemeral messages on DeviceDocs). */
  heartbeats: number;
  /** Durable acks that covered every sample written before them. */
  acknowledged: number;
  /** Day documents with a sample still waiting for its ack. */
  unacknowledged: number;
  /** From a document's oldest unacknowledged sample to the ack covering it (waiting ones so far). */
  ackLagMs: { p50: number; p95: number; max: number } | null;
}

/** Agent process → main process. */
export type AgentEvent =
  | { type: "prepared"; documents: PreparedDocument[] }
  /** These documents received a durable acknowledgement covering their heads. */
  | { type: "acknowledged"; documentIds: string[] }
  | {
      type: "stats";
      cpuSeconds: number;
      connectionErrors: number;
      /** Only once the steady state started. */
      steady?: SteadyStats;
    };
