/**
 * `npm start [-- --port 8080 --data .outpost-data --demo-devices N]`: the whole system on this
 * machine. Builds the dashboard if it is missing or stale, starts a relay on 127.0.0.1 with its
 * storage in the data folder, creates the fleet's root key (its recovery key kept in the data
 * folder), an admin token and the enrollment secret on the first run,
 * starts an agent for this machine enrolled with it, and prints the dashboard's address with a
 * one-click sign-in link. Ctrl-C stops everything cleanly; the next `npm start` resumes with the
 * same data.
 */
import { parseArgs } from "node:util";
import { Relay } from "@outpost/relay";
import { makeConsoleLogger } from "@outpost/shared-model";
import { DataFolderBusy } from "@outpost/shared-model/storage";
import { buildDashboard, DASHBOARD_DIST } from "../../dashboard/build/build-dashboard.js";
import { wholeNumberOption } from "../cli/whole-number.js";
import { startAgentChild } from "./agent-child.js";
import { approveAdminKeys } from "./approve-admin-keys.js";
import { dashboardIsStale } from "./dashboard-freshness.js";
import {
  DEFAULT_DATA,
  saveAdminToken,
  savedAdminToken,
  startData,
  writeLocalAgentConfig,
} from "./data-folder.js";
import { addDemoDevices } from "./demo-devices.js";
import { fleetRootKey } from "./fleet-root.js";

/** The admin `npm start` signs in as. */
const ADMIN = "admin";
const say = (line: string) => process.stdout.write(`${line}\n`);

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "8080" },
    data: { type: "string", default: DEFAULT_DATA },
    "demo-devices": { type: "string", default: "0" },
  },
  strict: true,
});
const port = wholeNumberOption("--port", values.port, 1, 65_535);
const demoDevices = wholeNumberOption("--demo-devices", values["demo-devices"], 0, 10_000);

// npm runs scripts from the repository root; a relative --data means what the user typed.
if (process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);
const data = await startData(values.data);

if (await dashboardIsStale(DASHBOARD_DIST)) {
  say("Building the dashboard…");
  await buildDashboard(DASHBOARD_DIST);
}

/** The relay on 127.0.0.1 with its storage in the data folder, serving the dashboard. */
async function startRelay(seeding?: { enrollmentsPerMinute: number }): Promise<Relay> {
  try {
    return await Relay.start({
      dataDirectory: data.relay,
      host: "127.0.0.1",
      port,
      // While demo devices enroll, a line each would bury what matters: warnings only.
      logger: seeding ? makeConsoleLogger("relay", undefined, "warn") : makeConsoleLogger("relay"),
      dashboardDirectory: DASHBOARD_DIST,
      ...(seeding
        ? {
            limits: {
              enrollmentsPerMinute: seeding.enrollmentsPerMinute,
              newDevicesPerMinute: seeding.enrollmentsPerMinute,
            },
          }
        : {}),
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") {
      process.stderr.write(
        `Port ${port} is taken (another Outpost?). Pick another: npm start -- --port ${port + 10}\n`,
      );
      process.exit(1);
    }
    if (error instanceof DataFolderBusy) {
      process.stderr.write(`${error.message} (is another npm start running?)\n`);
      process.exit(1);
    }
    throw error;
  }
}

// Before the relay starts: agents enroll only with a fleet that has a root key.
await fleetRootKey(data, say);

if (demoDevices > 0) {
  const added = await addDemoDevices({
    count: demoDevices,
    relayDataDirectory: data.relay,
    // Every demo device enrolls from 127.0.0.1 within a second or two.
    startRelay: () => startRelay({ enrollmentsPerMinute: 1_000_000 }),
    say,
  });
  say(`${added} demo devices added; ${demoDevices - added} were there from an earlier run.`);
}
const relay = await startRelay();

let token = await savedAdminToken(data);
if (token === undefined || relay.principals.authenticate(token) === undefined) {
  if (relay.principals.listAdmins().some((admin) => admin.name === ADMIN)) {
    await relay.principals.revokeAdmin(ADMIN);
  }
  token = await relay.principals.addAdmin(ADMIN);
  await saveAdminToken(data, token);
}
await approveAdminKeys(relay, data, ADMIN, say);
await writeLocalAgentConfig(data, {
  relayUrl: relay.url,
  enrollmentSecret: await relay.principals.enrollmentSecret(),
});
const agent = startAgentChild(data.agentConfig, say);

say("");
say(`Outpost is running. Dashboard: ${relay.url}/?token=${token}`);
say(`  (the link signs in as admin:${ADMIN}; the token is also in ${data.adminTokenFile})`);
say(`  Data: ${data.root}. Ctrl-C stops everything; npm start again resumes.`);
say("");

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  say(`\n${signal}: stopping the agent and the relay…`);
  const code = await agent.stop();
  await relay.stop();
  say("Stopped.");
  process.exit(code === 0 || code === null ? 0 : 1);
};
process.on("SIGINT", () => void stop("Ctrl-C"));
process.on("SIGTERM", () => void stop("SIGTERM"));
void agent.exited.then((code) => {
  if (!stopping) {
    process.stderr.write(
      `The agent stopped unexpectedly (exit code ${code}); the relay keeps running.\n`,
    );
  }
});
