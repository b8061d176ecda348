import { decodeSyncMessage } from "@automerge/automerge";
import { isValidDocumentId } from "@automerge/automerge-repo";
import { cbor } from "@automerge/automerge-repo/slim";

/** The message types a client may send; others (e.g. remote-heads gossip) bypass access checks. */
const ALLOWED_TYPES = new Set(["join", "sync", "request", "ephemeral", "doc-unavailable"]);

/** A decoded frame that passed the guard: a message object with a known type and a sender. */
export interface GuardedMessage {
  type: string;
  senderId: string;
  [field: string]: unknown;
}

/** Why a frame was refused, with a close code: 1007 malformed data, 1008 policy violation. */
export interface FrameProblem {
  closeCode: 1007 | 1008;
  reason: "malformed-frame" | "disallowed-message";
  detail: string;
}

/**
 * Checks a decoded websocket frame before automerge-repo sees it. The stock server adapter
 * destructures whatever CBOR decoded to (a `null` throws out of the socket's event handler and
 * takes the process down) and hands unknown shapes on; a sync message with bytes Automerge cannot
 * decode is caught here too, so it never reaches a document's synchronizer.
 */
export function guardFrame(decoded: unknown): GuardedMessage | FrameProblem {
  if (typeof decoded !== "object" || decoded === null || Array.isArray(decoded)) {
    return malformed("a frame must decode to a message object");
  }
  const message = decoded as Record<string, unknown>;
  if (typeof message.type !== "string") return malformed("message without a type");
  if (!ALLOWED_TYPES.has(message.type)) {
    return {
      closeCode: 1008,
      reason: "disallowed-message",
      detail: `message type ${JSON.stringify(message.type)} is not accepted`,
    };
  }
  if (typeof message.senderId !== "string" || message.senderId === "") {
    return malformed(`${message.type} message without a senderId`);
  }
  if (message.type === "join") return guardJoin(message);
  if (typeof message.documentId !== "string" || !isValidDocumentId(message.documentId)) {
    return malformed(`${message.type} message with an invalid documentId`);
  }
  if (message.type === "doc-unavailable") return message as GuardedMessage;
  if (!(message.data instanceof Uint8Array))
    return malformed(`${message.type} message without binary data`);
  if (message.type === "ephemeral") {
    if (typeof message.sessionId !== "string" || typeof message.count !== "number") {
      return malformed("ephemeral message without sessionId and count");
    }
    // The relay forwards ephemeral data to the document's other peers: only CBOR goes on.
    try {
      cbor.decode(message.data);
    } catch {
      return malformed("ephemeral message whose data is not CBOR");
    }
    return message as GuardedMessage;
  }
  try {
    decodeSyncMessage(message.data);
  } catch (error) {
    // A trap (Automerge's heap out of memory) is the process failing, not the frame: the heap
    // may be left inconsistent, so it must not be passed off as a peer's bad input.
    if (error instanceof WebAssembly.RuntimeError) throw error;
    return malformed(`${message.type} message whose data is not an Automerge sync message`);
  }
  return message as GuardedMessage;
}

/**
 * A join must carry what the stock adapter reads without checking: a metadata object and the
 * protocol versions as a list of strings that includes "1" (the stock adapter throws on a
 * non-list, and for a list without "1" drops the socket without telling the repo, leaking a peer).
 */
function guardJoin(message: Record<string, unknown>): GuardedMessage | FrameProblem {
  const { peerMetadata, supportedProtocolVersions: versions } = message;
  if (
    peerMetadata !== undefined &&
    (typeof peerMetadata !== "object" || peerMetadata === null || Array.isArray(peerMetadata))
  ) {
    return malformed("join whose peerMetadata is not an object");
  }
  if (
    versions !== undefined &&
    (!Array.isArray(versions) || !versions.every((version) => typeof version === "string"))
  ) {
    return malformed("join whose supportedProtocolVersions is not a list of strings");
  }
  if (Array.isArray(versions) && !versions.includes("1")) {
    return {
      closeCode: 1008,
      reason: "disallowed-message",
      detail: 'join without protocol version "1"; this relay speaks only 1',
    };
  }
  return message as GuardedMessage;
}

function malformed(detail: string): FrameProblem {
  return { closeCode: 1007, reason: "malformed-frame", detail };
}

/** True when the guard refused the frame. */
export function isFrameProblem(result: GuardedMessage | FrameProblem): result is FrameProblem {
  return "closeCode" in result;
}
