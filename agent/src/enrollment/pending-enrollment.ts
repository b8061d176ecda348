import { rm } from "node:fs/promises";
import { join } from "node:path";
import { writeFileDurably } from "@outpost/shared-model/storage";
import { z } from "zod";
import { readJsonFile } from "../state/json-file.js";

/** The pending re-enrollment file in the agent's data folder (mode 0600: the nonce collects a token). */
export const PENDING_ENROLLMENT_FILE = "pending-enrollment.json";

const pendingSchema = z.strictObject({
  relayUrl: z.string().min(1),
  deviceDocUrl: z.string().min(1),
  requestId: z.string().regex(/^[0-9a-f]{12}$/),
  nonce: z.string().min(1),
  requestedAt: z.iso.datetime(),
});

/** A re-enrollment request the relay holds for an admin, and the nonce that collects its token. */
export type PendingEnrollment = z.infer<typeof pendingSchema>;

/**
 * The request this device made to the relay at `relayUrl` for `deviceDocUrl`, kept across restarts
 * so an admin's approval is collected by the same request it was given for; `undefined` when
 * there is none, or it was made to another relay or for another DeviceDoc (then it is forgotten).
 * A damaged file is forgotten too: the device asks again.
 */
export async function loadPendingEnrollment(
  dataDirectory: string,
  relayUrl: string,
  deviceDocUrl: string,
): Promise<PendingEnrollment | undefined> {
  const path = join(dataDirectory, PENDING_ENROLLMENT_FILE);
  const pending = await readJsonFile(path, pendingSchema, (message) => new Error(message)).catch(
    () => undefined,
  );
  if (pending?.relayUrl === relayUrl && pending.deviceDocUrl === deviceDocUrl) return pending;
  if (pending !== undefined) await forgetPendingEnrollment(dataDirectory);
  return undefined;
}

/** Keeps a new request durably, readable by this user only. */
export async function savePendingEnrollment(
  dataDirectory: string,
  pending: PendingEnrollment,
): Promise<void> {
  const bytes = new TextEncoder().encode(`${JSON.stringify(pending, null, 2)}\n`);
  await writeFileDurably(join(dataDirectory, PENDING_ENROLLMENT_FILE), bytes, { mode: 0o600 });
}

/** Drops the request: enrolled, denied, or gone from the relay. */
export async function forgetPendingEnrollment(dataDirectory: string): Promise<void> {
  await rm(join(dataDirectory, PENDING_ENROLLMENT_FILE), { force: true });
}
