import { readFile, writeFile } from "node:fs/promises";
import { parse as parseToml, stringify as stringifyToml, TomlError } from "smol-toml";
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
  throw new ConfigFileError(`${path}: ${describeIssues(parsed.error)}`);
}

/**
 * Writes `values` as the TOML config file `path`, after checking them against the `schema` its
 * reader uses, so a program never writes a config the agent or relay would then refuse. Keys are
 * written in the order given, after `header` as comment lines. The file is readable by its owner
 * only unless `mode` says otherwise: configs hold enrollment secrets.
 *
 * @throws ConfigFileError naming the file and the keys that are wrong
 */
export async function writeTomlConfig<Schema extends z.ZodType>(
  path: string,
  schema: Schema,
  values: z.input<Schema>,
  options: { header?: readonly string[]; mode?: number } = {},
): Promise<void> {
  const parsed = schema.safeParse(values);
  if (!parsed.success) {
    throw new ConfigFileError(`refusing to write ${path}: ${describeIssues(parsed.error)}`);
  }
  const header = (options.header ?? []).map((line) => `# ${line}\n`).join("");
  const body = stringifyToml(values as Record<string, unknown>);
  await writeFile(path, `${header}${body}\n`, { mode: options.mode ?? 0o600 });
}

/** One line naming every key that is unknown or holds the wrong kind of value. */
function describeIssues(error: z.ZodError): string {
  const problems = error.issues.map((issue) => {
    const key = issue.path.join(".");
    if (issue.code === "unrecognized_keys") {
      return `unknown key ${issue.keys.map((k) => [key, k].filter(Boolean).join(".")).join(", ")}`;
    }
    return `${key}: ${issue.message}`;
  });
  return problems.join("; ");
}
