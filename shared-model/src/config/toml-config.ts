import { readFile } from "node:fs/promises";
import { parse as parseToml, TomlError } from "smol-toml";
import type { z } from "zod";
import { messageOf } from "../util/message-of.js";

/** A config file that cannot be used; the message names the file, the key and what was expected. */
export class ConfigFileError extends Error {
  override name = "ConfigFileError";
}

/**
 * Reads a TOML config file and validates it against `schema` (a zod `strictObject`, so unknown
 * keys are errors). Every way it can fail names the file: unreadable, a TOML syntax error (with
 * line and column), or the keys that are unknown or hold the wrong kind of value.
 *
 * @throws ConfigFileError
 */
export async function loadTomlConfig<Schema extends z.ZodType>(
  path: string,
  schema: Schema,
): Promise<z.infer<Schema>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    throw new ConfigFileError(`cannot read config file ${path}: ${messageOf(cause)}`, {
      cause,
    });
  }
  let raw: unknown;
  try {
    raw = parseToml(text);
  } catch (cause) {
    const where = cause instanceof TomlError ? `${path}:${cause.line}:${cause.column}` : path;
    throw new ConfigFileError(`${where}: not valid TOML: ${messageOf(cause).split("\n")[0]}`, {
      cause,
    });
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const key = issue.path.join(".");
    if (issue.code === "unrecognized_keys") {
      return `unknown key ${issue.keys.map((k) => [key, k].filter(Boolean).join(".")).join(", ")}`;
    }
    return `${key}: ${issue.message}`;
  });
  throw new ConfigFileError(`${path}: ${problems.join("; ")}`);
}
