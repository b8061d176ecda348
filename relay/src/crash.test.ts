/**
 * The durable acknowledgement holds across relay crashes (ARCHITECTURE.md, "Durable
 * acknowledgement").
 *
 * A relay runs in a child process (testing/relay-process.ts). Twenty enrolled devices, each an
 * agent-like client with its own crash-safe storage, write to their own document in a loop and
 * record every stored-heads acknowledgement the relay sends. At a random moment the relay gets
 * SIGKILL. The writers are held offline, the relay restarts on the same data folder and port, and
 * a fresh admin client (which never held the data, so it cannot mask a loss) checks that every
 * document contains every head the relay ever acknowledged. Then the writers reconnect and all
 * converge with the relay: the relay acknowledges exactly each writer's heads. After the last
 * round the relay is stopped politely and checked once more.
 *
 * SIGKILL tests the relay's ordering (flush, then ack) and the storage's atomic renames; it
 * cannot test fsync, which only matters when the machine goes down.
 * Reproduce a run with RELAY_CRASH_SEED=<seed printed on failure>.
 */
import type { DocHandle, UrlHeads } from "@automerge/automerge-repo";
import type { DeviceId } from "@outpost/shared-model";
import { seededRandom, silentLogger } from "@outpost/shared-model";
import { CrashSafeFileStorageAdapter } from "@outpost/shared-model/storage";
import { Cleanup, eventually } from "@outpost/shared-model/testing";
import { afterEach, describe, expect, it } from "vitest";
import { connectedTo } from "./testing/clients.js";
import { ClosableStorage } from "./testing/closable-storage.js";
import { containsHeads, DurableAckLog } from "./testing/durable-ack-log.js";
import type { RelayProcess, RelayProcessOptions } from "./testing/relay-child.js";
import { logRecords, startRelayProcess, TEST_ADMIN } from "./testing/relay-child.js";
import { readStoredDocuments } from "./testing/stored-documents.js";
import type { PausableClientAdapter } from "./testing/sync-client.js";
import { connectClient, startAgent } from "./testing/sync-client.js";

const SEED = Number(process.env.RELAY_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
const WRITERS = 20;
const KILLS = 4;
const MIN_KILL_DELAY_MS = 100;
const MAX_KILL_DELAY_MS = 1_200;
const ALICE = { kind: "admin", name: TEST_ADMIN } as const;

interface WriterDoc {
  writer: string;
  values: number[];
}

/** One agent-like client: enrolled device, own storage, own document. */
interface Writer {
  deviceId: DeviceId;
  handle: DocHandle<WriterDoc>;
  adapter: PausableClientAdapter;
  acks: DurableAckLog;
  writing: boolean;
  next: number;
  loop: Promise<void>;
}

let verifiers = 0;
const cleanup = new Cleanup();
afterEach(() => cleanup.release());

/** Starts a relay child that is SIGKILLed on release if the test has not stopped it. */
async function startRelay(options: RelayProcessOptions): Promise<RelayProcess> {
  const relay = await startRelayProcess({ ackDelayMs: 20, ...options });
  return cleanup.add(relay, (child) => child.kill());
}

/** An enrolled device with its own crash-safe storage, writing to the document it enrolled with. */
async function startWriter(
  relay: RelayProcess,
  index: number,
  storageRoot: string,
): Promise<Writer> {
  const deviceId = `writer-${String(index).padStart(2, "0")}`;
  const storage = new ClosableStorage(
    await CrashSafeFileStorageAdapter.create(`${storageRoot}/${deviceId}`, {
      logger: silentLogger,
    }),
  );
  const agent = await startAgent<WriterDoc>(relay.info, {
    deviceId,
    initial: { writer: deviceId, values: [] },
    storage,
  });
  const writer: Writer = {
    deviceId: agent.deviceId,
    handle: agent.handle,
    adapter: agent.adapter,
    acks: new DurableAckLog(agent.handle, relay.info.peerId),
    writing: false,
    next: 0,
    loop: Promise.resolve(),
  };
  return cleanup.add(writer, async () => {
    await stopWriting([writer]);
    await agent.repo.shutdown();
    // The saves the repo's throttle still owes must not land in the folder being removed.
    await storage.close();
  });
}

/**
 * Appends 0, 1, 2, … in bursts of 1–10 values with pauses of 30–300 ms, as an agent writes on
 * its collection ticks, until `stopWriting`. (Writing without pauses starves the acknowledgement:
 * the relay acks once traffic on a document has been quiet for `ackDelayMs`.)
 */
function startWriting(writer: Writer, random: () => number): void {
  writer.writing = true;
  writer.loop = (async () => {
    while (writer.writing) {
      const burst = 1 + Math.floor(random() * 10);
      for (let i = 0; i < burst && writer.writing; i++) {
        const value = writer.next++;
        writer.handle.change((doc) => {
          doc.values.push(value);
        });
        await sleep(random() * 3);
      }
      await sleep(30 + random() * 270);
    }
  })();
}

async function stopWriting(writers: Writer[]): Promise<void> {
  for (const writer of writers) writer.writing = false;
  await Promise.all(writers.map((writer) => writer.loop));
}

/**
 * A fresh admin client asks the restarted relay for every writer's document and checks that it
 * holds every head the relay acknowledged to the writers, before any writer reconnects.
 */
async function verifyAcknowledgedHeads(
  relay: RelayProcess,
  adminToken: string,
  writers: Writer[],
  context: string,
): Promise<number> {
  const verifier = cleanup.add(
    connectClient({
      syncUrl: relay.info.syncUrl,
      token: adminToken,
      principal: ALICE,
      session: `verifier${++verifiers}`,
    }),
    (client) => client.repo.shutdown(),
  );
  // Not connected yet, its finds would fail on their own without asking the relay.
  await connectedTo(verifier.repo, relay.info.peerId);
  let checked = 0;
  await Promise.all(
    writers.map(async (writer) => {
      // A document never acknowledged may rightly be missing: the kill came before its first save.
      if (writer.acks.acks.length === 0) return;
      const found = verifier.repo.find<WriterDoc>(writer.handle.url);
      // The relay acknowledges the verifier's request too: with the writers offline, those heads
      // are what it loaded from disk. `find` registers the handle at once, so listen before the
      // ack can arrive; then wait until the verifier has those heads, and compare.
      const pending = verifier.repo.handles[writer.handle.documentId] as DocHandle<WriterDoc>;
      const relayAcks = new DurableAckLog(pending, relay.info.peerId);
      const handle = await found;
      // A relay just restarted, loading twenty documents on a possibly loaded machine.
      const stored = await relayAcks.waitFor(() => true, `to the verifier (${context})`, {
        timeoutMs: 20_000,
      });
      await eventually(
        () => containsHeads(handle.doc(), stored.heads),
        `the verifier to receive ${writer.deviceId}'s document (${context})`,
      );
      for (const ack of writer.acks.acks) {
        expect(
          containsHeads(handle.doc(), ack.heads),
          `${writer.deviceId}: acknowledged heads ${ack.heads.join(",")} lost (${context})`,
        ).toBe(true);
        checked += 1;
      }
    }),
  );
  await verifier.repo.shutdown();
  return checked;
}

/** Waits until the relay acknowledges exactly each writer's current heads. */
async function expectConverged(writers: Writer[], context: string): Promise<void> {
  await Promise.all(
    writers.map((writer) =>
      writer.acks.waitFor(
        (ack) => sameHeads(ack.heads, writer.handle.heads()),
        `of ${writer.deviceId}'s heads (${context})`,
        { timeoutMs: 20_000 },
      ),
    ),
  );
}

describe(`relay crash safety (seed ${SEED})`, () => {
  it(`keeps every acknowledged head across ${KILLS} SIGKILLs while ${WRITERS} devices write`, {
    // Five relay starts through tsx and twenty writers: a minute on a busy machine, more with a CPU
    // hog beside it. Each wait inside has its own bound; this one only stops a hung run.
    timeout: 300_000,
  }, async () => {
    const random = seededRandom(SEED);
    const started = performance.now();
    const dataDirectory = await cleanup.tempFolder("relay-crash");
    const storageRoot = await cleanup.tempFolder("relay-crash-agents");
    let relay = await startRelay({ dataDirectory, port: 0 });
    const port = relay.port;
    const adminToken = relay.info.adminToken ?? "";
    const writers: Writer[] = [];
    for (let index = 0; index < WRITERS; index++) {
      writers.push(await startWriter(relay, index, storageRoot));
    }
    const stats: string[] = [];

    for (let round = 1; round <= KILLS; round++) {
      const context = `seed ${SEED}, round ${round}`;
      const acksBefore = writers.map((writer) => writer.acks.acks.length);
      for (const writer of writers) startWriting(writer, random);
      // Kill at random once half the writers have been acknowledged by this relay (all acks of
      // all rounds are checked; waiting for every writer would mostly measure ack latency).
      await eventually(
        () =>
          writers.filter((writer, i) => writer.acks.acks.length > (acksBefore[i] ?? 0)).length >=
          WRITERS / 2,
        `half the writers to be acknowledged (${context})`,
        20_000,
      );
      const killDelayMs = MIN_KILL_DELAY_MS + random() * (MAX_KILL_DELAY_MS - MIN_KILL_DELAY_MS);
      await sleep(killDelayMs);
      const exit = await relay.kill();
      expect(exit.signal, context).toBe("SIGKILL");
      expect(logRecords(relay.stderr()).filter((record) => record.level >= 50)).toEqual([]);
      for (const writer of writers) writer.adapter.pause();
      await stopWriting(writers);

      relay = await startRelay({ dataDirectory, port });
      expect(relay.info.adminToken, "the restart must find the data folder").toBeNull();
      const checked = await verifyAcknowledgedHeads(relay, adminToken, writers, context);
      const values = writers.reduce((sum, writer) => sum + writer.next, 0);
      stats.push(
        `round ${round}: killed ${Math.round(killDelayMs)} ms after half were acked, ${values} values written, ${checked} acks checked`,
      );

      for (const writer of writers) writer.adapter.resume();
      await expectConverged(writers, context);
    }

    // A polite stop loses nothing either: everything is acknowledged and on disk.
    for (const writer of writers) writer.adapter.pause();
    expect(await relay.stop()).toEqual({ code: 0, signal: null });
    expect(logRecords(relay.stderr()).filter((record) => record.level >= 50)).toEqual([]);
    relay = await startRelay({ dataDirectory, port });
    await verifyAcknowledgedHeads(relay, adminToken, writers, "after a clean stop");
    for (const writer of writers) {
      const last = writer.acks.acks.at(-1);
      expect(last && sameHeads(last.heads, writer.handle.heads()), writer.deviceId).toBe(true);
    }
    // A torn or unreadable chunk would have been logged as an error when a document loaded.
    expect(logRecords(relay.stderr()).filter((record) => record.level >= 50)).toEqual([]);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    process.stdout.write(
      `relay crash test: ${KILLS} kills, ${WRITERS} writers in ${seconds} s, seed ${SEED}; ${stats.join("; ")}\n`,
    );
  });

  it("an acknowledged head is on disk the moment the ack arrives", {
    // Starting a relay child through tsx, and the stored-documents reader, take seconds each on a
    // loaded machine.
    timeout: 60_000,
  }, async () => {
    const dataDirectory = await cleanup.tempFolder("relay-ack-on-disk");
    const relay = await startRelay({ dataDirectory, port: 0 });
    const client = cleanup.add(
      connectClient({
        syncUrl: relay.info.syncUrl,
        token: relay.info.adminToken ?? "",
        principal: ALICE,
        session: "writer",
      }),
      (writer) => writer.repo.shutdown(),
    );
    const handle = client.repo.create<WriterDoc>({ writer: "alice", values: [] });
    const acks = new DurableAckLog(handle, relay.info.peerId);
    // Keep writing, so the relay is busy with later changes when the ack is sent.
    let next = 0;
    const ticking = cleanup.add(
      setInterval(
        () =>
          handle.change((doc) => {
            doc.values.push(next++);
          }),
        5,
      ),
      clearInterval,
    );
    await connectedTo(client.repo, relay.info.peerId);
    const ack = await acks.waitFor(() => next > 50, "after 50 values", { timeoutMs: 20_000 });
    // Kill it at once: nothing the relay does after sending the ack may be needed.
    relay.child.kill("SIGKILL");
    await relay.exited;
    clearInterval(ticking);
    const { reports, stderr } = await readStoredDocuments({
      directory: `${dataDirectory}/documents`,
      documents: [{ url: handle.url, heads: ack.heads }],
    });
    expect(reports).toEqual([
      expect.objectContaining({ url: handle.url, found: true, containsHeads: true }),
    ]);
    expect(logRecords(stderr).filter((record) => record.level >= 50)).toEqual([]);
  });
});

function sameHeads(a: readonly string[], b: UrlHeads | readonly string[]): boolean {
  return a.length === b.length && [...a].sort().join(",") === [...b].sort().join(",");
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
