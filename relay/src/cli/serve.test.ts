import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { PeerId } from "@automerge/automerge-repo";
import { Repo } from "@automerge/automerge-repo";
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket";
import { peerIdFor, silentLogger } from "@outpost/shared-model";
import { CrashSafeFileStorageAdapter } from "@outpost/shared-model/storage";
import { eventually } from "@outpost/shared-model/testing";
import { afterEach, describe, expect, it } from "vitest";
import { PrincipalStore } from "../state/principal-store.js";
import { DurableAckLog } from "../testing/durable-ack-log.js";

const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url));
/** Starting a relay through tsx takes seconds on a loaded machine; some tests start two. */
const TEST_TIMEOUT_MS = 60_000;
/** Every relay process a test started, with a promise of its exit. */
const children: { process: ChildProcess; exited: Promise<number | null> }[] = [];
let dataDirectory: string | undefined;

afterEach(async () => {
  // A relay still running may be writing to the data folder: it must be gone before the rm.
  await Promise.all(
    children.splice(0).map(({ process: running, exited }) => {
      if (running.exitCode === null && running.signalCode === null) running.kill("SIGKILL");
      return exited;
    }),
  );
  if (dataDirectory) await rm(dataDirectory, { recursive: true, force: true });
  dataDirectory = undefined;
});

/** Spawns `outpost-relay serve` with `args`, stderr piped; killed after the test. */
function spawnServe(args: string[]): { process: ChildProcess; exited: Promise<number | null> } {
  const started = spawn(process.execPath, ["--import", "tsx", MAIN, "serve", ...args], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  const exited = new Promise<number | null>((resolve) =>
    started.once("exit", (code) => resolve(code)),
  );
  const child = { process: started, exited };
  children.push(child);
  return child;
}

/** Starts `outpost-relay serve` and resolves with its URL from the "listening" log line. */
function serve(
  data: string,
): Promise<{ url: string; process: ChildProcess; exit: Promise<number | null> }> {
  const { process: process_, exited: exit } = spawnServe(["--data", data, "--port", "0"]);
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: process_.stderr as NodeJS.ReadableStream });
    lines.on("line", (line) => {
      const entry = JSON.parse(line) as { url?: string; msg?: string };
      if (entry.url && entry.msg?.startsWith("relay listening")) {
        resolve({ url: entry.url, process: process_, exit });
      }
    });
    process_.once("exit", (code) => reject(new Error(`relay exited early with ${code}`)));
  });
}

describe("outpost-relay serve", () => {
  it("exits with code 2 and says why when its port is taken", {
    timeout: TEST_TIMEOUT_MS,
  }, async () => {
    dataDirectory = await mkdtemp(join(tmpdir(), "outpost-serve-"));
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    try {
      const port = (taken.address() as AddressInfo).port;
      const second = spawnServe(["--data", dataDirectory, "--port", String(port)]);
      let stderr = "";
      second.process.stderr?.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const code = await second.exited;
      expect(code).toBe(2);
      expect(stderr).toContain("EADDRINUSE");
    } finally {
      taken.close();
    }
  });

  it("refuses a second relay on the same data folder, naming the first one's PID", {
    timeout: TEST_TIMEOUT_MS,
  }, async () => {
    dataDirectory = await mkdtemp(join(tmpdir(), "outpost-serve-"));
    const { process: first } = await serve(dataDirectory);
    const second = spawnServe(["--data", dataDirectory, "--port", "0"]);
    let stderr = "";
    second.process.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await second.exited;
    expect(code).toBe(2);
    expect(stderr).toContain(`is in use by another outpost-relay (PID ${first.pid})`);
    expect(first.exitCode).toBeNull();
  });

  it("on SIGTERM flushes every document and exits 0", { timeout: TEST_TIMEOUT_MS }, async () => {
    dataDirectory = await mkdtemp(join(tmpdir(), "outpost-serve-"));
    const token = await (await PrincipalStore.open(dataDirectory, silentLogger)).addAdmin("alice");
    const relay = await serve(dataDirectory);

    const connect = (session: string) =>
      new Repo({
        network: [
          new WebSocketClientAdapter(`${relay.url.replace("http", "ws")}/sync?token=${token}`, 200),
        ],
        peerId: peerIdFor({ kind: "admin", name: "alice" }, session) as PeerId,
        shareConfig: { announce: async () => true, access: async () => true },
      });
    const writer = connect("writer");
    const reader = connect("reader");
    // Connected, not only "ready": the stock client reports ready after a second either way, and
    // a find made before it is connected fails without asking the relay.
    await eventually(
      () => writer.peers.length > 0 && reader.peers.length > 0,
      "both clients to connect to the relay",
      20_000,
    );
    const relayPeerId = writer.peers[0] as PeerId;
    const handle = writer.create<{ values: number[] }>({ values: [] });
    const acks = new DurableAckLog(handle, relayPeerId);
    // Asked before the relay has the document, the relay rightly answers unavailable. Its ack of
    // the empty document says it has it; an ack of the 30 values would put them on disk before
    // the SIGTERM whose flush this tests.
    await acks.waitFor(() => true, "of the new document", { timeoutMs: 20_000 });
    const seen = await reader.find<{ values: number[] }>(handle.url);
    for (let i = 0; i < 30; i += 1) handle.change((doc) => void doc.values.push(i));
    // Once another client sees all 30 through the relay, the relay holds them: stop it right then.
    await eventually(() => seen.doc().values.length === 30, "the reader to see 30 values");
    relay.process.kill("SIGTERM");
    expect(await relay.exit).toBe(0);
    await Promise.allSettled([writer.shutdown(), reader.shutdown()]);

    const storage = await CrashSafeFileStorageAdapter.create(join(dataDirectory, "documents"), {
      logger: silentLogger,
    });
    const fromDisk = new Repo({ storage, network: [] });
    const stored = await fromDisk.find<{ values: number[] }>(handle.url);
    expect(stored.doc().values).toEqual(Array.from({ length: 30 }, (_, i) => i));
    await fromDisk.shutdown();
    await storage.whenIdle();
  });
});
