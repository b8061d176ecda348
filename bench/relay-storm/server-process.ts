/**
 * Child process entry: runs one server (`outpost` or `reference`) on a data folder, with the
 * measurement hooks installed first, and answers the main process over IPC. Each server gets a
 * process of its own so that its memory and CPU are measured alone.
 *
 * Usage (by the benchmark only):
 * `server-process.ts <outpost|reference|baseline> <dataDirectory> [<relay limits as JSON>]`.
 */
import { CpuProfile } from "./cpu-profile.js";
import type { ServerAddress, ServerCommand, ServerEvent, ServerKind } from "./messages.js";
import { IncomingByteMeter, PeakRss, reportStoredHeads } from "./server-instrumentation.js";

/** A server that accepts connections. */
export interface StartedServer {
  address: ServerAddress;
  /** The server's own count of websocket payload bytes, where it keeps one. */
  frameBytesReceived?: () => Promise<number>;
}

// Loaded only for its kind, so the reference's process never holds our relay's code.
const STARTERS = {
  outpost: () => import("./start-outpost.js"),
  reference: () => import("./start-reference.js"),
  baseline: () => import("./start-baseline.js"),
} as const;

const [kind, dataDirectory, limits = "{}"] = process.argv.slice(2) as [
  ServerKind | undefined,
  string | undefined,
  string | undefined,
];
if (kind === undefined || !(kind in STARTERS) || dataDirectory === undefined) {
  throw new Error("usage: server-process.ts <outpost|reference|baseline> <dataDirectory>");
}
const send = (event: ServerEvent) => process.send?.(event);

const meter = new IncomingByteMeter();
meter.install({ loopbackOnly: kind === "reference" });
const peakRss = new PeakRss();
const profile = new CpuProfile();
const starter = await STARTERS[kind]();
await reportStoredHeads(starter.automergeRepoEntry(), (documentId, heads) =>
  send({ type: "stored", documentId, heads }),
);
const server = await starter.start(dataDirectory, meter, JSON.parse(limits));

let cpuAtMark = process.cpuUsage();
let bytesAtMark = 0;
let framesAtMark = 0;
// Without the main process there is nobody to report to, and nobody to kill this one.
process.on("disconnect", () => process.exit(0));
process.on("message", (command: ServerCommand) => {
  void answer(command);
});
send({ type: "listening", address: server.address });

async function answer(command: ServerCommand): Promise<void> {
  if (command.type === "mark") {
    cpuAtMark = process.cpuUsage();
    bytesAtMark = meter.total();
    framesAtMark = (await server.frameBytesReceived?.()) ?? 0;
    peakRss.reset();
    await profile.start();
    send({ type: "marked" });
    return;
  }
  const cpu = process.cpuUsage(cpuAtMark);
  await profile.stop(kind as string);
  const frames = await server.frameBytesReceived?.();
  send({
    type: "stats",
    stats: {
      peakRssBytes: peakRss.peak(),
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      rssBytes: process.memoryUsage.rss(),
      bytesReceived: meter.total() - bytesAtMark,
      ...(frames === undefined ? {} : { frameBytesReceived: frames - framesAtMark }),
    },
  });
}
