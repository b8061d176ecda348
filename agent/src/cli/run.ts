import { makeLogger, messageOf } from "@outpost/shared-model";
import { ConfigFileError } from "@outpost/shared-model/config";
import { ALL_COLLECTORS } from "../collectors/all.js";
import type { Collector } from "../collectors/collector.js";
import { selectCollectors, UnknownCollector } from "../collectors/registry.js";
import { ALL_KINDS } from "../commands/kinds/all.js";
import { realSystemControl } from "../commands/kinds/system-control.js";
import type { AgentConfig } from "../config/agent-config.js";
import { Agent } from "../runtime/agent.js";
import type { Clock } from "../runtime/clock.js";
import { ScaledClock } from "../runtime/scaled-clock.js";

/**
 * `outpost-agent run`: starts the agent and runs until SIGINT or SIGTERM, then stops cleanly
 * (the open day and state on disk). Exit 0 after a clean stop, 1 when it cannot start.
 */
export async function runAgent(config: AgentConfig): Promise<number> {
  let collectors: Collector[];
  try {
    collectors = selectCollectors(ALL_COLLECTORS, config.collectors);
  } catch (error) {
    if (!(error instanceof UnknownCollector)) throw error;
    throw new ConfigFileError(`${config.path}: collectors: ${error.message}`);
  }
  const logger = makeLogger("outpost-agent", config.logLevel);
  let agent: Agent;
  try {
    agent = await Agent.start({
      dataDirectory: config.dataDirectory,
      relayUrl: config.relayUrl,
      enrollmentSecret: config.enrollmentSecret,
      enrollmentToken: config.enrollmentToken,
      deviceId: config.deviceId,
      rootKeyFingerprint: config.rootKeyFingerprint,
      sampleIntervalS: config.sampleIntervalSeconds,
      retainDays: config.retainDays,
      diskBudgetBytes: config.diskBudgetBytes,
      logger,
      collectors,
      clock: clockFromEnvironment(),
      commands: {
        kinds: ALL_KINDS,
        system: realSystemControl,
        scriptsFolder: config.scriptsDirectory,
        maxConcurrent: config.maxConcurrentCommands,
        archiveAfterDays: config.archiveCommandsAfterDays,
      },
    });
  } catch (error) {
    logger.error({ err: error }, `cannot start: ${messageOf(error)}`);
    return 1;
  }
  process.on("unhandledRejection", (reason) => {
    // One failed background step must not stop a device's monitoring: log it and carry on.
    logger.error({ err: reason }, `unexpected failure, still running: ${String(reason)}`);
  });
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info(`${signal}: stopping`);
      resolve();
    };
    process.once("SIGINT", () => stop("SIGINT"));
    process.once("SIGTERM", () => stop("SIGTERM"));
  });
  await agent.stop();
  return 0;
}

/**
 * A sped-up clock for tests and demos when `OUTPOST_AGENT_CLOCK_SPEED` is set (origin from
 * `OUTPOST_AGENT_CLOCK_ORIGIN`, epoch ms, default now; the time shown then from
 * `OUTPOST_AGENT_CLOCK_START`, default the origin); the wall clock otherwise.
 */
function clockFromEnvironment(): Clock | undefined {
  const speed = process.env.OUTPOST_AGENT_CLOCK_SPEED;
  if (!speed) return undefined;
  const origin = process.env.OUTPOST_AGENT_CLOCK_ORIGIN;
  const start = process.env.OUTPOST_AGENT_CLOCK_START;
  const originMs = origin ? Number(origin) : Date.now();
  return new ScaledClock(Number(speed), originMs, start ? Number(start) : originMs);
}
