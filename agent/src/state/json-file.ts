import { readFile } from "node:fs/promises";
import { messageOf } from "@outpost/shared-model";
import type { z } from "zod";

/**
 * Reads a JSON file the agent keeps in its data folder and checks it against `schema`.
 * Returns `undefined` when the file does not exist (first run). Every other failure is thrown as
 * `fail(message)`, the message naming the file and, for a wrong shape, each bad field; `hint`
 * says what the admin can do about it.
 */
export async function readJsonFile<T>(
  path: string,
  schema: z.ZodType<T>,
  fail: (message: string, cause?: unknown) => Error,
  hint?: string,
): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw fail(`cannot read ${path}: ${messageOf(error)}`, error);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw fail(`${path}: not JSON (${messageOf(cause)})`, cause);
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map(
    (issue) => `${issue.path.join(".") || "(file)"}: ${issue.message}`,
  );
  throw fail(`${path}: ${problems.join("; ")}${hint ? `; ${hint}` : ""}`);
}
