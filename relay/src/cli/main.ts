#!/usr/bin/env node
/**
 * `outpost-relay`: run the relay and manage who may use it.
 *
 *   serve --data DIR [--host H] [--port P] [--tls-cert F --tls-key F] [--config FILE]
 *   admin add NAME | admin list | admin revoke NAME        (with --data DIR or --config FILE)
 *   admin key list | approve NAME KEY_ID | revoke KEY_ID   (the same)
 *   root init [--root-key-out FILE] | root show            (the same)
 *   enroll-secret show | enroll-secret rotate              (with --data DIR or --config FILE)
 *   device list | revoke ID | remove ID | purge ID | pending | approve REQ | deny REQ
 *   enroll-token create [--device ID] [--ttl 24h] [--url URL] | list | revoke TOKEN_ID
 */
import { parseArgs } from "node:util";
import { UsageError } from "@outpost/shared-model";
import { openStore, runAdminCommand, runEnrollSecretCommand } from "./admin-commands.js";
import { runDeviceCommand } from "./device-commands.js";
import { runEnrollTokenCommand } from "./enroll-token-commands.js";
import { runRootCommand } from "./root-commands.js";
import { runServe } from "./serve.js";
import { usage } from "./usage.js";

// `npm run relay` runs in the relay/ workspace; npm passes the folder the user typed the command
// in as INIT_CWD, and relative paths (--data, --config, TLS files) must mean what they typed.
if (process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);

const { values, positionals } = parseArgs({
  allowPositionals: true,
  strict: true,
  options: {
    data: { type: "string" },
    host: { type: "string" },
    port: { type: "string" },
    "tls-cert": { type: "string" },
    "tls-key": { type: "string" },
    config: { type: "string" },
    dashboard: { type: "string" },
    "log-level": { type: "string" },
    "root-key-out": { type: "string" },
    "root-key": { type: "string" },
    reason: { type: "string" },
    help: { type: "boolean", short: "h" },
    device: { type: "string" },
    ttl: { type: "string" },
    url: { type: "string" },
    json: { type: "boolean" },
    all: { type: "boolean" },
  },
});

const [command, ...rest] = positionals;
try {
  if (values.help || command === undefined || command === "help") {
    process.stdout.write(usage);
  } else if (command === "serve") {
    await runServe(values);
  } else if (command === "admin") {
    await runAdminCommand(rest, values);
  } else if (command === "root") {
    await runRootCommand(rest, values, await openStore(values));
  } else if (command === "enroll-secret") {
    await runEnrollSecretCommand(rest, values);
  } else if (command === "device") {
    await runDeviceCommand(rest, values);
  } else if (command === "enroll-token") {
    await runEnrollTokenCommand(rest, values);
  } else {
    throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  }
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(
    `outpost-relay: ${message}\n${error instanceof UsageError ? `\n${usage}` : ""}`,
  );
  process.exitCode = 2;
}
