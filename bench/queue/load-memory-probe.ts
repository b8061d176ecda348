/**
 * What a DeviceDoc's history costs Automerge in memory (bench/queue/README.md, "Memory").
 *
 *   npx tsx queue/load-memory-probe.ts build 180 [text|sig]   (in bench/; writes /tmp/probe/)
 *   node --expose-gc --import tsx queue/load-memory-probe.ts load /tmp/probe/device-180-scalars.bin [load|incremental]
 *
 * `build` writes the benchmark's queue (10,000 signed commands over N days, archived as they pass
 * 30 days by the agent's archiver) into an in-memory Repo and saves the DeviceDoc. By default the
 * commands are written as the mutators write them, every string an ImmutableString scalar;
 * `text` writes them as documents written before hold them (every string Automerge text, one
 * operation per character), `sig` as text but for the signatures. Readers understand all three,
 * so every variant is archived. `load` reports the resident set, JS heap and external
 * (WebAssembly) memory around `A.load` or `A.loadIncremental`.
 */

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as A from "@automerge/automerge";
import { Repo } from "@automerge/automerge-repo";
import { ArchiveRecord, CommandArchiver } from "@outpost/agent";
import {
  createDeviceDoc,
  type DeviceDoc,
  FoldCache,
  parseDeviceId,
  silentLogger,
  toPlain,
} from "@outpost/shared-model";
import { testRoot } from "@outpost/shared-model/testing";
import { drawBenchQueue, signBenchCommands, writeBenchCommands } from "./bench-queue.js";

const mode = process.argv[2];
mkdirSync("/tmp/probe", { recursive: true });
const mb = (n: number) => (n / 1e6).toFixed(1);
const mem = (label: string) => {
  const m = process.memoryUsage();
  process.stdout.write(
    `${label} rss ${mb(m.rss)} heap ${mb(m.heapUsed)} ext ${mb(m.external)} ab ${mb(m.arrayBuffers)}\n`,
  );
};
if (mode === "build") {
  const history = Number(process.argv[3] ?? 180);
  const repo = new Repo({ network: [] });
  const deviceId = parseDeviceId("bench-1");
  const device = repo.create<DeviceDoc>(createDeviceDoc(deviceId));
  const root = await testRoot();
  const signer = await root.adminSigner("bench");
  const now = Date.now();
  const { commands } = drawBenchQueue({ count: 10000, seed: 20240601, now, historyDays: history });
  const signed = await signBenchCommands(commands, signer, deviceId);
  // Its own record per variant: a record names archive documents, which live in that build's
  // in-memory Repo only (another build would look for them in vain).
  const folder = `/tmp/probe/record-${process.argv[4] ?? "scalars"}`;
  mkdirSync(folder, { recursive: true });
  const record = await ArchiveRecord.open(folder);
  const folds = new FoldCache();
  for (let start = 0; start < signed.length; start += 500) {
    const batch = signed.slice(start, start + 500);
    const variant = process.argv[4];
    if (variant === undefined)
      device.change((doc) => writeBenchCommands(doc, batch, signer, "agent:bench-1"));
    else {
      const written = { commands: {}, signers: {} } as unknown as DeviceDoc;
      writeBenchCommands(written, batch, signer, "agent:bench-1");
      const plain = toPlain<DeviceDoc>(written);
      const convert = (value: unknown, key: string): unknown => {
        if (typeof value === "string")
          return variant === "sig" && key === "signature" ? new A.ImmutableString(value) : value;
        if (Array.isArray(value)) return value.map((item) => convert(item, ""));
        if (value !== null && typeof value === "object")
          return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, convert(v, k)]));
        return value;
      };
      device.change((doc) => {
        for (const [id, command] of Object.entries(plain.commands))
          (doc.commands as Record<string, unknown>)[id] = convert(command, "");
        doc.signers = plain.signers;
      });
    }
    const last = batch.at(-1)?.draft.spec.createdAt ?? now;
    if (history === 0) continue;
    await new CommandArchiver({
      repo,
      device,
      deviceId,
      record,
      now: () => last + 60000,
      retentionDays: 30,
      stateOf: folds.stateOf,
      logger: silentLogger,
    }).archive();
  }
  const bytes = A.save(device.doc());
  writeFileSync(`/tmp/probe/device-${history}-${process.argv[4] ?? "scalars"}.bin`, bytes);
  const stats = A.stats(device.doc());
  process.stdout.write(`saved ${bytes.length} bytes ${JSON.stringify(stats)}\n`);
  // What stays text outside the commands (one operation per character when written once).
  const textCharacters = (value: unknown): number => {
    if (typeof value === "string") return value.length;
    if (typeof value !== "object" || value === null || A.isImmutableString(value)) return 0;
    return Object.values(value).reduce<number>((sum, item) => sum + textCharacters(item), 0);
  };
  const { commands: _, ...rest } = device.doc();
  const outside = Object.entries(rest).map(([key, value]) => `${key} ${textCharacters(value)}`);
  process.stdout.write(`text characters outside commands: ${outside.join(", ")}\n`);
  process.exit(0);
} else {
  const bytes = readFileSync(process.argv[3] as string);
  mem("before");
  const how = process.argv[4];
  const doc = how === "incremental" ? A.loadIncremental(A.init(), bytes) : A.load(bytes);
  mem(`after ${how ?? "load"}`);
  void Object.keys((doc as DeviceDoc).commands).length;
  (globalThis as { gc?: () => void }).gc?.();
  mem("after gc");
}
