import { dirname, resolve } from "node:path";
import { type DeviceId, isDeviceId } from "@outpost/shared-model";
import { loadTomlConfig } from "@outpost/shared-model/config";
import { z } from "zod";

/** Log levels the agent understands, quietest last. */
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** The defaults of every optional key; agent.example.toml documents the same values. */
export const AGENT_DEFAULTS = Object.freeze({
  sampleIntervalSeconds: 10,
  retainDays: 2,
  diskBudgetMib: 256,
  maxConcurrentCommands: 1,
  archiveCommandsAfterDays: 30,
  scripts: "scripts",
  logLevel: "info" as (typeof LOG_LEVELS)[number],
});

/** A message for a required key that also says when the key is simply missing. */
const required =
  (expected: string) =>
  (issue: { input: unknown }): string =>
    issue.input === undefined ? `missing; ${expected}` : expected;

const relayUrl = z
  .url({
    protocol: /^https?$/,
    error: required("expected the relay's http:// or https:// address"),
  })
  .refine((value) => new URL(value).pathname === "/", {
    error: "expected the relay's address without a path (the agent adds /sync and /v1/enroll)",
  });

/** The agent's config file (TOML). Unknown keys are errors, so a typo never falls back silently. */
export const agentFileConfigSchema = z.strictObject({
  relay_url: relayUrl,
  enrollment_secret: z.string().min(1, "expected the fleet's enrollment secret").optional(),
  // A one-time token an admin made for this device (install commands carry one).
  enrollment_token: z.string().min(1, "expected a one-time enrollment token").optional(),
  // The fleet's root key fingerprint: enrollment refuses a relay that names another root.
  root_key_fingerprint: z
    .string()
    .regex(/^SHA256:[A-Za-z0-9_-]{43}$/, "expected a root key fingerprint SHA256:…")
    .optional(),
  // The device ID an admin's token was made for (a reinstalled machine taking its old place);
  // used only when the data folder is new, which otherwise picks one from the hostname.
  device_id: z
    .string()
    .refine(
      isDeviceId,
      "expected a device ID: 1-64 of [A-Za-z0-9._-], starting with a letter or digit",
    )
    .optional(),
  data: z.string({ error: required("expected a folder") }).min(1, "expected a folder"),
  sample_interval_seconds: z.number().int().min(1).max(3_600).optional(),
  retain_days: z.number().int().min(0).max(3_650).optional(),
  disk_budget_mib: z.number().int().min(16).max(1_048_576).optional(),
  log_level: z.enum(LOG_LEVELS).optional(),
  max_concurrent_commands: z.number().int().min(1).max(16).optional(),
  // Days a finished command stays in the live DeviceDoc before it moves to its month's archive.
  archive_commands_after_days: z.number().int().min(0).max(3_650).optional(),
  scripts: z.string().min(1, "expected a folder").optional(),
  // Names are checked against the plugins by the entry point (the config never imports them).
  collectors: z
    .array(z.string().regex(/^[a-z][a-z0-9-]*$/, "expected a collector name"))
    .min(1, "expected at least one collector")
    .optional(),
});

/** The config file as written. */
export type AgentFileConfig = z.infer<typeof agentFileConfigSchema>;

/** The agent's settings, defaults applied and paths made absolute. */
export interface AgentConfig {
  /** The file these settings came from. */
  path: string;
  /** The relay's base address, e.g. `https://relay.example.com`. */
  relayUrl: string;
  /** Needed until the device has enrolled once; the device token is kept in the data folder. */
  enrollmentSecret: string | undefined;
  /** A one-time enrollment token; used instead of the secret when both are set. */
  enrollmentToken: string | undefined;
  /** The device ID a new data folder takes; `undefined`: one made from the hostname. */
  deviceId: DeviceId | undefined;
  /** The fleet's root key fingerprint (`SHA256:…`): the only root the agent will pin. */
  rootKeyFingerprint: string | undefined;
  /** Absolute; a relative `data` means relative to the config file's folder. */
  dataDirectory: string;
  sampleIntervalSeconds: number;
  /** Days a closed, acknowledged day document is kept on this device. */
  retainDays: number;
  /** Most the data folder may hold before old unacknowledged days are downsampled. */
  diskBudgetBytes: number;
  logLevel: (typeof LOG_LEVELS)[number];
  /** Commands that may run at once on this device. */
  maxConcurrentCommands: number;
  /** Days a finished command stays in the live DeviceDoc before the agent archives it. */
  archiveCommandsAfterDays: number;
  /** Absolute; `script.run` runs only scripts from here (relative: to the data folder). */
  scriptsDirectory: string;
  /** Collector names to run; `undefined` runs all of them. */
  collectors: string[] | undefined;
}

/**
 * Reads, validates and resolves the agent's config file.
 *
 * @throws ConfigFileError naming the file, and each key with what was expected.
 */
export async function loadAgentConfig(path: string): Promise<AgentConfig> {
  const absolute = resolve(path);
  const file = await loadTomlConfig(absolute, agentFileConfigSchema);
  const dataDirectory = resolve(dirname(absolute), file.data);
  return {
    path: absolute,
    relayUrl: file.relay_url.replace(/\/$/, ""),
    enrollmentSecret: file.enrollment_secret,
    enrollmentToken: file.enrollment_token,
    deviceId: file.device_id as DeviceId | undefined,
    rootKeyFingerprint: file.root_key_fingerprint,
    dataDirectory,
    sampleIntervalSeconds: file.sample_interval_seconds ?? AGENT_DEFAULTS.sampleIntervalSeconds,
    retainDays: file.retain_days ?? AGENT_DEFAULTS.retainDays,
    diskBudgetBytes: (file.disk_budget_mib ?? AGENT_DEFAULTS.diskBudgetMib) * 1024 * 1024,
    logLevel: file.log_level ?? AGENT_DEFAULTS.logLevel,
    maxConcurrentCommands: file.max_concurrent_commands ?? AGENT_DEFAULTS.maxConcurrentCommands,
    archiveCommandsAfterDays:
      file.archive_commands_after_days ?? AGENT_DEFAULTS.archiveCommandsAfterDays,
    scriptsDirectory: resolve(dataDirectory, file.scripts ?? AGENT_DEFAULTS.scripts),
    collectors: file.collectors,
  };
}
