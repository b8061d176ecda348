/**
 * Presence: while connected, an agent broadcasts a heartbeat as an ephemeral message on its
 * DeviceDoc. The relay forwards it to every peer syncing that document, so a dashboard can show
 * "online now" without a single write to any document.
 */
import { z } from "zod";
import { isDeviceId } from "../ids/ids.js";

/** Ephemeral message type of an agent heartbeat. */
export const PRESENCE_MESSAGE_TYPE = "outpost/presence";

/** How often a connected agent sends its heartbeat. */
export const PRESENCE_INTERVAL_MS = 15_000;

/** A device counts as online for this long after its last heartbeat (two missed beats). */
export const PRESENCE_TTL_MS = 3 * PRESENCE_INTERVAL_MS;

/** An agent's heartbeat. */
export interface PresenceMessage {
  type: typeof PRESENCE_MESSAGE_TYPE;
  deviceId: string;
  /** Agent clock, epoch milliseconds, when sent. */
  sentAt: number;
  /** When the agent process started, epoch milliseconds. */
  agentStartedAt: number;
}

const presenceSchema = z.object({
  type: z.literal(PRESENCE_MESSAGE_TYPE),
  deviceId: z.string().refine(isDeviceId),
  sentAt: z.number().int().nonnegative(),
  agentStartedAt: z.number().int().nonnegative(),
});

/** Narrows an ephemeral message's contents to a {@link PresenceMessage}. */
export function isPresenceMessage(message: unknown): message is PresenceMessage {
  return presenceSchema.safeParse(message).success;
}
