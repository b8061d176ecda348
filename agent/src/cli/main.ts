#!/usr/bin/env node
/**
 * `outpost-agent`: the device agent.
 *
 *   run --config FILE         the long-running agent
 *   collect --once            print one sample and the inventory as JSON
 *   status --config FILE      what the local replica holds
 *   config check FILE         validate a config file
 *   service install|uninstall|status   the agent as a system service
 */
import { parseArgs } from "node:util";
import { messageOf, UsageError } from "@outpost/shared-model";
import { ConfigFileError } from "@outpost/shared-model/config";
import { loadAgentConfig } from "../config/agent-config.js";
import { ServiceError } from "../service/service-manager.js";
import { collectOnce } from "./collect-once.js";
import { runAgent } from "./run.js";
import { runServiceCommand } from "./service.js";
import { printStatus } from "./status.js";

/** Exit codes: 0 done, 1 a runtime failure, 2 a bad invocation or config (as the relay's CLI). */
const EXIT_BAD_INPUT = 2;

const usage = `usage: outpost-agent <command>

commands:
  run --config FILE         run the agent: sample, keep the inventory, sync with the relay
  collect --once            print one sample and the inventory as JSON (no config needed)
  status --config FILE      what the local replica holds: days on disk, samples the relay has
                            not stored yet, the last acknowledgement, the command queue
                            (--json for a machine-readable answer)
  config check FILE         validate a config file (see agent/agent.example.toml) and print the
                            settings it gives, defaults included
  service install --config FILE [--user NAME] [--entry PATH]
                            install and start the agent as a system service: systemd (Linux),
                            launchd (macOS), a WinSW service (Windows); needs root/Administrator
  service uninstall [--config FILE --purge]
                            stop and remove the service; --purge also deletes its data folder
  service status            whether the service is installed and running
`;

// `npm run agent` runs in the agent/ workspace; npm passes the folder the user typed the command
// in as INIT_CWD, and a relative FILE must mean what they typed.
if (process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError) {
    process.stderr.write(`outpost-agent: ${error.message}\n\n${usage}`);
    process.exitCode = EXIT_BAD_INPUT;
  } else if (error instanceof ConfigFileError || error instanceof ServiceError) {
    process.stderr.write(`outpost-agent: ${error.message}\n`);
    process.exitCode = EXIT_BAD_INPUT;
  } else {
    process.stderr.write(`outpost-agent: ${messageOf(error)}\n`);
    process.exitCode = 1;
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || ["help", "--help", "-h"].includes(command)) {
    process.stdout.write(usage);
    return 0;
  }
  if (command === "config") {
    const [subcommand, file, ...extra] = rest;
    if (subcommand !== "check" || file === undefined || extra.length > 0) {
      throw new UsageError(`expected "config check FILE", got ${JSON.stringify(argv.join(" "))}`);
    }
    const config = await loadAgentConfig(file);
    const shown = {
      ...config,
      enrollmentSecret: config.enrollmentSecret ? "(set)" : "(not set)",
      enrollmentToken: config.enrollmentToken ? "(set)" : "(not set)",
    };
    process.stdout.write(`${config.path}: ok\n${JSON.stringify(shown, null, 2)}\n`);
    return 0;
  }
  if (command === "service") {
    const [action, ...serviceArgs] = rest;
    if (action !== "install" && action !== "uninstall" && action !== "status") {
      throw new UsageError(
        `expected "service install|uninstall|status", got ${JSON.stringify(argv.join(" "))}`,
      );
    }
    const flags = parse(serviceArgs);
    return runServiceCommand({
      action,
      config: flags.config,
      entry: flags.entry,
      user: flags.user,
      purge: flags.purge,
    });
  }
  const options = parse(rest);
  if (command === "run") {
    return runAgent(await loadAgentConfig(required(options.config, "run needs --config FILE")));
  }
  if (command === "collect") {
    if (!options.once)
      throw new UsageError("collect needs --once (continuous collection is `run`)");
    await collectOnce();
    return 0;
  }
  if (command === "status") {
    const config = await loadAgentConfig(required(options.config, "status needs --config FILE"));
    return printStatus(config, { json: options.json === true });
  }
  throw new UsageError(`unknown command ${JSON.stringify(command)}`);
}

function parse(args: string[]) {
  try {
    return parseArgs({
      args,
      options: {
        config: { type: "string" },
        once: { type: "boolean" },
        json: { type: "boolean" },
        entry: { type: "string" },
        user: { type: "string" },
        purge: { type: "boolean" },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new UsageError(messageOf(error));
  }
}

function required(value: unknown, message: string): string {
  if (typeof value !== "string" || value === "") throw new UsageError(message);
  return value;
}
