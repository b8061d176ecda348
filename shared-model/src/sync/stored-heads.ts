/**
 * The relay's durable acknowledgement. automerge-repo's own sync replies say what the relay holds
 * in memory; only this message says what it has flushed to disk. The relay broadcasts it as an
 * ephemeral message on the document after each flush; a client must trust it only when the
 * sender is the relay it connected to (other peers' ephemeral messages are forwarded too).
 */
import { z } from "zod";

/** Ephemeral message type of a durable acknowledgement. */
export const STORED_HEADS_MESSAGE_TYPE = "outpost/stored-heads";

/** Sent by the relay on a document once `heads` (and everything before them) are on its disk. */
export interface StoredHeadsMessage {
  type: typeof STORED_HEADS_MESSAGE_TYPE;
  /** Document the heads belong to (the ephemeral channel's document, repeated for logs). */
  documentId: string;
  /** automerge-repo's encoded heads (base58 strings) of the stored state. */
  heads: string[];
  /** Relay clock, epoch milliseconds, when the flush completed. */
  storedAt: number;
}

const storedHeadsSchema = z.object({
  type: z.literal(STORED_HEADS_MESSAGE_TYPE),
  documentId: z.string().min(1),
  heads: z.array(z.string().min(1)).max(1000),
  storedAt: z.number().int().nonnegative(),
});

/** Narrows an ephemeral message's contents to a {@link StoredHeadsMessage}. */
export function isStoredHeadsMessage(message: unknown): message is StoredHeadsMessage {
  return storedHeadsSchema.safeParse(message).success;
}
