import { readFile } from "node:fs/promises";
import { parse as parseToml, TomlError } from "smol-toml";
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

/** A config file that cannot be used; the message names the file, the key and what was expected. */
export class RelayConfigError extends Error {
  override name = "RelayConfigError";
}

/** Reads and validates a relay config file. */
export async function loadRelayConfig(path: string): Promise<RelayFileConfig> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    throw new RelayConfigError(`cannot read config file ${path}: ${(cause as Error).message}`, {
      cause,
    });
  }
  let raw: unknown;
  try {
    raw = parseToml(text);
  } catch (cause) {
    const where = cause instanceof TomlError ? `${path}:${cause.line}:${cause.column}` : path;
    throw new RelayConfigError(
      `${where}: not valid TOML: ${(cause as Error).message.split("\n")[0]}`,
      { cause },
    );
  }
  const parsed = relayFileConfigSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const key = issue.path.join(".");
    const unknown =
      issue.code === "unrecognized_keys"
        ? `unknown key ${issue.keys.map((k) => [key, k].filter(Boolean).join(".")).join(", ")}`
        : undefined;
    return unknown ?? `${key}: ${issue.message}`;
  });
  throw new RelayConfigError(`${path}: ${problems.join("; ")}`);
}
