import type { DeviceId, EnrollmentTokenIssued } from "@outpost/shared-model";
import { isDeviceId, UsageError } from "@outpost/shared-model";
import { loadRelayConfig } from "../config/relay-config.js";
import { issueEnrollmentToken } from "../onboarding/issue-enrollment-token.js";
import { PrincipalStore } from "../state/principal-store.js";
import { cliActor } from "./cli-actor.js";
import { type CommonFlags, dataDirectoryOf, makeCliLogger } from "./common.js";
import { parseDuration } from "./duration.js";

/** Flags of `enroll-token …`. */
export interface EnrollTokenFlags extends CommonFlags {
  device?: string;
  ttl?: string;
  url?: string;
  json?: boolean;
}

/**
 * `enroll-token create [--device ID] [--ttl 24h] [--url URL] | list | revoke TOKEN_ID`
 * (docs/OPERATIONS.md, "Enrollment tokens"). Works whether or not a relay runs on the data folder.
 */
export async function runEnrollTokenCommand(
  args: string[],
  flags: EnrollTokenFlags,
): Promise<void> {
  const [action, target, ...extra] = args;
  if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(" ")}`);
  const principals = await PrincipalStore.open(await dataDirectoryOf(flags), makeCliLogger(flags));
  const tokens = principals.enrollmentTokens;
  if (action === "create" && target === undefined) {
    if (flags.device !== undefined && !isDeviceId(flags.device)) {
      throw new UsageError(
        `--device: expected a device ID (1-64 of [A-Za-z0-9._-]), received ${JSON.stringify(flags.device)}`,
      );
    }
    const issued = await issueEnrollmentToken(
      principals,
      {
        ...(flags.device === undefined ? {} : { deviceId: flags.device as DeviceId }),
        ...(flags.ttl === undefined ? {} : { ttlMs: parseDuration(flags.ttl, "--ttl") }),
        by: cliActor(),
      },
      await relayUrlOf(flags),
    );
    if (flags.json === true) process.stdout.write(`${JSON.stringify(issued, null, 2)}\n`);
    else process.stdout.write(describe(issued));
    return;
  }
  if (action === "list" && target === undefined) {
    for (const token of tokens.list()) {
      const state =
        token.revokedAt !== undefined
          ? "revoked"
          : token.usedAt !== undefined
            ? `used by ${token.usedBy}`
            : token.expiresAt <= Date.now()
              ? "expired"
              : "unused";
      process.stdout.write(
        `${token.tokenId}\t${token.deviceId ?? "any new device"}\t${state}\texpires ${new Date(token.expiresAt).toISOString()}\tby ${token.createdBy}\n`,
      );
    }
    return;
  }
  if (action === "revoke" && target !== undefined) {
    if (!(await tokens.revoke(target, cliActor())))
      throw new UsageError(`no enrollment token ${target}; "enroll-token list" shows them`);
    process.stderr.write(`enrollment token ${target} revoked.\n`);
    return;
  }
  throw new UsageError(
    "enroll-token needs create [--device ID] [--ttl 24h], list or revoke TOKEN_ID",
  );
}

/** The relay's address devices reach: `--url`, else `public_url` from the config file. */
async function relayUrlOf(flags: EnrollTokenFlags): Promise<string> {
  const url =
    flags.url ?? (flags.config ? (await loadRelayConfig(flags.config)).public_url : undefined);
  if (url === undefined) {
    throw new UsageError(
      "enroll-token create needs the relay's address as devices reach it, for the install commands: --url https://relay.example.com, or public_url in the config file",
    );
  }
  if (!/^https?:\/\/[^/\s'"]+\/?$/.test(url))
    throw new UsageError(
      `--url: expected the relay's http(s):// address without a path, received ${JSON.stringify(url)}`,
    );
  return url.replace(/\/+$/, "");
}

function describe(issued: EnrollmentTokenIssued): string {
  const scope = issued.deviceId
    ? `for device ${issued.deviceId} (it may replace that device)`
    : "for one new device";
  const fingerprint = issued.rootKeyFingerprint
    ? `pinning the fleet's root key ${issued.rootKeyFingerprint}`
    : "pinning no root key: this relay has none yet";
  return [
    issued.token,
    "",
    `One-time enrollment token ${issued.tokenId}, ${scope}, valid until ${new Date(issued.expiresAt).toISOString()}; shown only this once.`,
    `Install commands for ${issued.relayUrl}, ${fingerprint}:`,
    "",
    "Linux, macOS (as a user who may sudo):",
    `  ${issued.install.shell}`,
    "",
    "Windows (PowerShell as Administrator):",
    `  ${issued.install.powershell}`,
    "",
  ].join("\n");
}
