import { fileURLToPath } from "node:url";
import type { RelayFileConfig } from "../config/relay-config.js";
import { loadRelayConfig } from "../config/relay-config.js";
import { handleProcessFailures } from "../process-failures.js";
import { Relay } from "../relay.js";
import type { CommonFlags } from "./common.js";
import { makeCliLogger } from "./common.js";
import { resolveServeOptions } from "./serve-options.js";

const BUILT_DASHBOARD = fileURLToPath(new URL("../../../dashboard/dist", import.meta.url));

/** `serve`: runs the relay until SIGTERM or SIGINT, then flushes everything and exits 0. */
export async function runServe(
  flags: CommonFlags & {
    host?: string;
    port?: string;
    "tls-cert"?: string;
    "tls-key"?: string;
    dashboard?: string;
  },
): Promise<void> {
  const config: RelayFileConfig = flags.config ? await loadRelayConfig(flags.config) : {};
  const logger = makeCliLogger(flags, config.log_level);
  const options = await resolveServeOptions(
    {
      data: flags.data,
      host: flags.host,
      port: flags.port,
      tlsCert: flags["tls-cert"],
      tlsKey: flags["tls-key"],
      dashboard: flags.dashboard,
    },
    config,
    logger,
    BUILT_DASHBOARD,
  );
  const failures = handleProcessFailures(logger);
  const relay = await Relay.start(options);
  failures.beforeFatalExit((error) => relay.recordCrash(error));
  if (relay.principals.listAdmins().length === 0) {
    logger.warn(
      `no admins yet: create one with  npm run relay -- admin add NAME --data ${options.dataDirectory}`,
    );
  }
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn(`${signal} again: exiting without waiting`);
      process.exit(1);
    }
    stopping = true;
    logger.info(`${signal}: stopping`);
    relay.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, "stopping failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}
