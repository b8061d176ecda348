import { loadTomlConfig } from "@outpost/shared-model/config";
import { z } from "zod";
import { trustedProxyProblem } from "../http/client-address.js";

const positiveInt = z.number().int().positive();

/** IPs and CIDR ranges (IPv4, IPv6, IPv4-mapped); a bad entry is named with what is wrong. */
const trustedProxies = z.array(z.string()).superRefine((entries, context) => {
  entries.forEach((entry, index) => {
    const problem = trustedProxyProblem(entry);
    if (problem !== undefined) {
      context.addIssue({
        code: "custom",
        path: [index],
        message: `${JSON.stringify(entry)} is not an IP address or CIDR range (${problem})`,
      });
    }
  });
});

/** The relay's config file (TOML); every key optional, unknown keys are errors. */
export const relayFileConfigSchema = z.strictObject({
  data: z.string().min(1).optional(),
  host: z.string().min(1).optional(),
  port: z.number().int().min(0).max(65_535).optional(),
  log_level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).optional(),
  dashboard: z.string().min(1).optional(),
  public_url: z
    .url({ protocol: /^https?$/, error: "expected the relay's http:// or https:// address" })
    .refine((value) => new URL(value).pathname === "/", {
      error: "expected the relay's address without a path",
    })
    .optional(),
  agent_bundle: z.string().min(1).optional(),
  tls: z.strictObject({ cert: z.string().min(1), key: z.string().min(1) }).optional(),
  trusted_proxies: trustedProxies.optional(),
  limits: z
    .strictObject({
      max_message_bytes: positiveInt.optional(),
      max_connections_per_token: positiveInt.optional(),
      max_documents_per_device: positiveInt.optional(),
      max_pending_documents_per_device: positiveInt.optional(),
      max_stored_bytes_per_device: positiveInt.optional(),
      max_loaded_documents: positiveInt.optional(),
      max_loaded_ops: positiveInt.optional(),
      max_syncing_documents: positiveInt.optional(),
      enrollments_per_minute: positiveInt.optional(),
      enrollment_failures_per_minute: positiveInt.optional(),
      new_devices_per_minute: positiveInt.optional(),
      max_connections: positiveInt.optional(),
      headers_timeout_ms: positiveInt.optional(),
      request_timeout_ms: positiveInt.optional(),
      max_change_ops: positiveInt.optional(),
      max_sync_message_ops: positiveInt.optional(),
      max_sync_message_decoded_bytes: positiveInt.optional(),
      max_document_ops: positiveInt.optional(),
      peer_sync_ms_per_second: positiveInt.optional(),
      peer_sync_burst_ms: positiveInt.optional(),
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
