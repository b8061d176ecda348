/**
 * Test support: runs `relay-process.ts` in a child process and controls it from the test: wait
 * for it to listen, SIGKILL it, stop it politely, read its log. Exported as
 * `@outpost/relay/testing/relay-child` for the dashboard's component tests, which run in jsdom
 * and so cannot start a relay in their own process.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import type { RelayLimits } from "../relay-options.js";

// `import.meta.dirname`, not `fileURLToPath(new URL(…))`: the dashboard's component tests start
// relays with this from jsdom, whose global URL Node's fileURLToPath does not take.
const ENTRY = join(import.meta.dirname, "relay-process.ts");
/** Where `tsx` and the workspace packages resolve from. */
export const REPO_ROOT = `${resolve(import.meta.dirname, "../../..")}/`;

/** What the parent passes as the only argument. */
export interface RelayProcessOptions {
  dataDirectory: string;
  /** 0 picks a free port; a restart passes the port of the first start. */
  port: number;
  limits?: Partial<RelayLimits>;
  ackDelayMs?: number;
  idleUnloadMs?: number;
  idleSweepIntervalMs?: number;
  /** pino level of the stderr log (default "warn"). */
  logLevel?: string;
  /** See RelayOptions.trapOnDocumentId. */
  trapOnDocumentId?: string;
}

/** What the child reports once it accepts connections. */
export interface RelayProcessInfo {
  url: string;
  syncUrl: string;
  peerId: string;
  fleetDocUrl: string;
  /** The admin `alice`'s token on the first start of the data folder; null on later starts. */
  adminToken: string | null;
  enrollmentSecret: string;
}

/** The admin every test relay has. */
export const TEST_ADMIN = "alice";

/** How a child process ended. */
export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A relay running in a child process. */
export interface RelayProcess {
  readonly info: RelayProcessInfo;
  /** The port it listens on: a restart on the same data folder passes it again. */
  readonly port: number;
  readonly child: ChildProcess;
  /** Resolves once the process is gone and its output has been read. */
  readonly exited: Promise<ChildExit>;
  isAlive(): boolean;
  /** Everything it wrote to stderr so far (pino JSON lines, or a crash's stack trace). */
  stderr(): string;
  /** SIGKILL: a crash at this very moment. */
  kill(): Promise<ChildExit>;
  /** SIGTERM (the relay flushes and exits), SIGKILL if it takes longer than `graceMs`. */
  stop(graceMs?: number): Promise<ChildExit>;
}

/** Starts a relay child and resolves once it accepts connections. */
export async function startRelayProcess(options: RelayProcessOptions): Promise<RelayProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", ENTRY, JSON.stringify(options)], {
    cwd: REPO_ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (data: Buffer) => {
    stderr += data.toString("utf8");
  });
  const exited = new Promise<ChildExit>((resolve) =>
    child.once("close", (code, signal) => resolve({ code, signal })),
  );
  const ready = new Promise<RelayProcessInfo>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
      if (line.startsWith("ready ")) resolve(JSON.parse(line.slice(6)) as RelayProcessInfo);
    });
    void exited.then((exit) =>
      reject(
        new Error(
          `relay child exited (${exit.code ?? exit.signal}) before it was ready:\n${stderr}`,
        ),
      ),
    );
  });
  const timeout = setTimeout(() => child.kill("SIGKILL"), 30_000);
  let info: RelayProcessInfo;
  try {
    info = await ready;
  } finally {
    clearTimeout(timeout);
  }
  const isAlive = () => child.exitCode === null && child.signalCode === null;
  const kill = async () => {
    if (isAlive()) child.kill("SIGKILL");
    return exited;
  };
  return {
    info,
    port: Number(new URL(info.url).port),
    child,
    exited,
    isAlive,
    stderr: () => stderr,
    kill,
    async stop(graceMs = 10_000) {
      if (!isAlive()) return exited;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** One pino record from a child's stderr. */
export interface LogRecord {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/** The pino records in a child's stderr; other lines (a crash's stack trace) are skipped. */
export function logRecords(stderr: string): LogRecord[] {
  const records: LogRecord[] = [];
  for (const line of stderr.split("\n")) {
    if (!line.startsWith("{")) continue;
    try {
      records.push(JSON.parse(line) as LogRecord);
    } catch {
      // A line cut by a SIGKILL.
    }
  }
  return records;
}
