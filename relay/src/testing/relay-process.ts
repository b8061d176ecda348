/**
 * Child-process entry for tests that must kill a relay or watch it survive (crash.test.ts,
 * bad-input.test.ts): a real relay on 127.0.0.1, so a SIGKILL is a real crash and an uncaught
 * exception really ends the process.
 *
 *   node --import tsx relay-process.ts '<RelayProcessOptions as JSON>'
 *
 * Once listening it prints one line, `ready <RelayProcessInfo as JSON>`, to stdout. It adds the
 * admin `alice` on the first start of a data folder only, so `adminToken` is null on a restart.
 * SIGTERM stops it cleanly (flushing every document), prints `stopped` and exits 0. Logs are
 * pino JSON lines on stderr.
 */
import { makeLogger } from "@outpost/shared-model";
import { Relay } from "../relay.js";
import type { RelayProcessInfo, RelayProcessOptions } from "./relay-child.js";
import { TEST_ADMIN } from "./relay-child.js";
import { recordTestRoot } from "./test-root.js";

const options = JSON.parse(process.argv[2] ?? "null") as RelayProcessOptions | null;
if (options === null || typeof options.dataDirectory !== "string") {
  throw new Error("usage: relay-process.ts '<RelayProcessOptions as JSON>'");
}

// Every test relay's fleet has a root key, so devices can enroll.
await recordTestRoot(options.dataDirectory);
const relay = await Relay.start({
  dataDirectory: options.dataDirectory,
  host: "127.0.0.1",
  port: options.port,
  logger: makeLogger("relay", options.logLevel ?? "warn"),
  limits: options.limits,
  ackDelayMs: options.ackDelayMs,
  idleUnloadMs: options.idleUnloadMs,
  idleSweepIntervalMs: options.idleSweepIntervalMs,
  trapOnDocumentId: options.trapOnDocumentId,
});
const firstStart = !relay.principals.listAdmins().some((admin) => admin.name === TEST_ADMIN);
const info: RelayProcessInfo = {
  url: relay.url,
  syncUrl: relay.syncUrl,
  peerId: relay.peerId,
  fleetDocUrl: relay.fleetDocUrl,
  adminToken: firstStart ? await relay.principals.addAdmin(TEST_ADMIN) : null,
  enrollmentSecret: await relay.principals.enrollmentSecret(),
};
// Stdout on a pipe is synchronous on Linux: once the parent reads the line, it is true.
process.stdout.write(`ready ${JSON.stringify(info)}\n`);

process.once("SIGTERM", () => {
  relay.stop().then(
    () => {
      process.stdout.write("stopped\n");
      process.exit(0);
    },
    (error: unknown) => {
      process.stderr.write(`stopping the relay failed: ${String(error)}\n`);
      process.exit(1);
    },
  );
});
