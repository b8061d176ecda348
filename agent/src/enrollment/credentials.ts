import { chmod, stat } from "node:fs/promises";
import { join } from "node:path";
import { isDeviceId, messageOf } from "@outpost/shared-model";
import { writeFileDurably } from "@outpost/shared-model/storage";
import { z } from "zod";
import { readJsonFile } from "../state/json-file.js";
import { fleetTrustSchema } from "./fleet-trust.js";

/** The credentials file in the agent's data folder; only its owner may read it (mode 0600). */
export const CREDENTIALS_FILE = "credentials.json";

const credentialsSchema = z.strictObject({
  deviceId: z.string().refine(isDeviceId, { message: "expected a device ID" }),
  deviceToken: z.string().min(1),
  relayPeerId: z.string().min(1),
  relayUrl: z.string().min(1),
  enrolledAt: z.iso.datetime(),
  /**
   * The fleet's root the agent pinned (from the enrollment answer, or once from the relay's
   * session for a device enrolled before there was one); never changed afterwards.
   */
  trust: fleetTrustSchema.optional(),
});

/** What enrollment gave this device; kept across restarts so it enrolls only once. */
export type DeviceCredentials = z.infer<typeof credentialsSchema>;

/** A credentials file that cannot be used; says which file and what is wrong with it. */
export class CredentialsFileError extends Error {
  override name = "CredentialsFileError";
}

/**
 * Reads the device's credentials, or `undefined` before its first enrollment. A file others can
 * read is tightened to 0600 first: the token lets its holder write this device's documents.
 *
 * @throws CredentialsFileError when the file is not JSON or not credentials (hand-edited, torn).
 */
export async function loadCredentials(
  dataDirectory: string,
): Promise<DeviceCredentials | undefined> {
  const path = join(dataDirectory, CREDENTIALS_FILE);
  try {
    const { mode } = await stat(path);
    if ((mode & 0o077) !== 0) await chmod(path, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new CredentialsFileError(`cannot read ${path}: ${messageOf(error)}`, {
      cause: error,
    });
  }
  return readJsonFile(
    path,
    credentialsSchema,
    (message, cause) => new CredentialsFileError(message, { cause }),
    "delete it to enroll again with the enrollment secret",
  );
}

/** Stores the device's credentials durably, readable by this user only. */
export async function saveCredentials(
  dataDirectory: string,
  credentials: DeviceCredentials,
): Promise<void> {
  const bytes = new TextEncoder().encode(`${JSON.stringify(credentials, null, 2)}\n`);
  await writeFileDurably(join(dataDirectory, CREDENTIALS_FILE), bytes, { mode: 0o600 });
}
