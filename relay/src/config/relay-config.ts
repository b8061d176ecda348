import { loadTomlConfig } from "@outpost/shared-model/config";
import { z } from "zod";

const positiveInt = z.number().int().positive();

/** The relay's config file (TOML); every key optional, unknown keys are errors. */
export const relayFileConfigSchema = z.strictObject({
  data: z.string().min(1).optional(),
  host: z.string().min(1).optional(),
  port: z.number().int().min(0).max(65_535).optional(),
  log_level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).optional(),
  dashboard: z.string().min(1).optional(),
  tls: z.strictObject({ cert: z.string().min(1), key: z.string().min(1) }).optional(),
  limits: z
    .strictObject({
      max_message_bytes: positiveInt.optional(),
      max_connections_per_token: positiveInt.optional(),
      max_documents_per_device: positiveInt.optional(),
      max_loaded_documents: positiveInt.optional(),
      max_syncing_documents: positiveInt.optional(),
      enrollments_per_minute: positiveInt.optional(),
    })
    .optional(),
  sync: z
    .strictObject({
      idle_unload_seconds: positiveInt.optional(),
      ack_delay_ms: z.number().int().min(0).max(60_000).optional(),
    })
    .optional(),
});

/** A parsed relay config file. */
export type RelayFileConfig = z.infer<typeof relayFileConfigSchema>;

/** Settings that cannot be used together (from flags and the config file); says which. */
export class RelayConfigError extends Error {
  override name = "RelayConfigError";
}

/**
 * Reads and validates a relay config file.
 *
 * @throws ConfigFileError naming the file, and the key and what was expected.
 */
export function loadRelayConfig(path: string): Promise<RelayFileConfig> {
  return loadTomlConfig(path, relayFileConfigSchema);
}
