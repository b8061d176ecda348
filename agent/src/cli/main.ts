#!/usr/bin/env node
/**
 * `outpost-agent`: the device agent.
 *
 *   config check FILE     validate a config file and print the settings it gives
 *
 * Running, one-off collection and status arrive with the rest of the agent (issue 4).
 */
import { ConfigFileError } from "@outpost/shared-model/config";
import { loadAgentConfig } from "../config/agent-config.js";

/** Exit codes: 0 done, 2 a bad invocation or config (EX_USAGE-like, as the relay's CLI). */
const EXIT_BAD_INPUT = 2;

const usage = `usage: outpost-agent <command>

commands:
  config check FILE     validate a config file (see agent/agent.example.toml) and print the
                        settings it gives, defaults included
`;

// `npm run agent` runs in the agent/ workspace; npm passes the folder the user typed the command
// in as INIT_CWD, and a relative FILE must mean what they typed.
if (process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);

const [command, subcommand, file, ...extra] = process.argv.slice(2);
try {
  if (command === undefined || command === "help" || command === "--help" || command === "-h") {
    process.stdout.write(usage);
  } else if (
    command === "config" &&
    subcommand === "check" &&
    file !== undefined &&
    !extra.length
  ) {
    const config = await loadAgentConfig(file);
    const shown = { ...config, enrollmentSecret: config.enrollmentSecret ? "(set)" : "(not set)" };
    process.stdout.write(`${config.path}: ok\n${JSON.stringify(shown, null, 2)}\n`);
  } else {
    process.stderr.write(
      `outpost-agent: unknown command ${JSON.stringify(process.argv.slice(2).join(" "))}\n\n${usage}`,
    );
    process.exitCode = EXIT_BAD_INPUT;
  }
} catch (error) {
  if (!(error instanceof ConfigFileError)) throw error;
  process.stderr.write(`outpost-agent: ${error.message}\n`);
  process.exitCode = EXIT_BAD_INPUT;
}
