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
import { afterEach, describe, expect, it } from "vitest";
import { PrincipalStore } from "../state/principal-store.js";
import { eventually } from "../testing/clients.js";

const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url));
let child: ChildProcess | undefined;
let dataDirectory: string | undefined;

afterEach(async () => {
  child?.kill("SIGKILL");
  child = undefined;
  if (dataDirectory) await rm(dataDirectory, { recursive: true, force: true });
});

/** Starts `outpost-relay serve` and resolves with its URL from the "listening" log line. */
function serve(data: string): Promise<{ url: string; exit: Promise<number | null> }> {
  const process_ = spawn(
    process.execPath,
    ["--import", "tsx", MAIN, "serve", "--data", data, "--port", "0"],
    {
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  child = process_;
  const exit = new Promise<number | null>((resolve) =>
    process_.once("exit", (code) => resolve(code)),
  );
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: process_.stderr as NodeJS.ReadableStream });
    lines.on("line", (line) => {
      const entry = JSON.parse(line) as { url?: string; msg?: string };
      if (entry.url && entry.msg?.startsWith("relay listening")) resolve({ url: entry.url, exit });
    });
    process_.once("exit", (code) => reject(new Error(`relay exited early with ${code}`)));
  });
}

describe("outpost-relay serve", () => {
  it("exits with code 2 and says why when its port is taken", async () => {
    dataDirectory = await mkdtemp(join(tmpdir(), "outpost-serve-"));
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    try {
      const port = (taken.address() as AddressInfo).port;
      const second = spawn(
        process.execPath,
        ["--import", "tsx", MAIN, "serve", "--data", dataDirectory, "--port", String(port)],
        { stdio: ["ignore", "ignore", "pipe"] },
      );
      child = second;
      let stderr = "";
      second.stderr?.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const code = await new Promise<number | null>((resolve) => second.once("exit", resolve));
      expect(code).toBe(2);
      expect(stderr).toContain("EADDRINUSE");
    } finally {
      taken.close();
    }
  });

  it("refuses a second relay on the same data folder, naming the first one's PID", async () => {
    dataDirectory = await mkdtemp(join(tmpdir(), "outpost-serve-"));
    await serve(dataDirectory);
    const first = child as ChildProcess;
    const second = spawn(
      process.execPath,
      ["--import", "tsx", MAIN, "serve", "--data", dataDirectory, "--port", "0"],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    let stderr = "";
    second.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => second.once("exit", resolve));
    expect(code).toBe(2);
    expect(stderr).toContain(`is in use by another outpost-relay (PID ${first.pid})`);
    expect(first.exitCode).toBeNull();
  });

  it("on SIGTERM flushes every document and exits 0", async () => {
    dataDirectory = await mkdtemp(join(tmpdir(), "outpost-serve-"));
    const token = await (await PrincipalStore.open(dataDirectory, silentLogger)).addAdmin("alice");
    const { url, exit } = await serve(dataDirectory);

    const connect = (session: string) =>
      new Repo({
        network: [
          new WebSocketClientAdapter(`${url.replace("http", "ws")}/sync?token=${token}`, 200),
        ],
        peerId: peerIdFor({ kind: "admin", name: "alice" }, session) as PeerId,
        shareConfig: { announce: async () => true, access: async () => true },
      });
    const writer = connect("writer");
    const reader = connect("reader");
    await Promise.all([writer.networkSubsystem.whenReady(), reader.networkSubsystem.whenReady()]);
    const handle = writer.create<{ values: number[] }>({ values: [] });
    for (let i = 0; i < 30; i += 1) handle.change((doc) => void doc.values.push(i));
    // Once another client sees all 30 through the relay, the relay holds them: stop it right then.
    await eventually(
      async () => (await reader.find<{ values: number[] }>(handle.url)).doc().values.length === 30,
      "the reader to see 30 values",
    );
    child?.kill("SIGTERM");
    expect(await exit).toBe(0);
    await Promise.allSettled([writer.shutdown(), reader.shutdown()]);

    const storage = await CrashSafeFileStorageAdapter.create(join(dataDirectory, "documents"), {
      logger: silentLogger,
    });
    const fromDisk = new Repo({ storage, network: [] });
    const stored = await fromDisk.find<{ values: number[] }>(handle.url);
    expect(stored.doc().values).toEqual(Array.from({ length: 30 }, (_, i) => i));
    await fromDisk.shutdown();
  }, 30_000);
});
