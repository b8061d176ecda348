import { decodeSyncMessage } from "@automerge/automerge";
import type { ChunkMeasure } from "../sync/automerge-chunks.js";
import { InflationCapExceeded, measureChunks } from "../sync/automerge-chunks.js";
import { MalformedChunk } from "../sync/byte-reader.js";

/** The per-message bounds (see RelayLimits for what each means and its default). */
export interface SyncMessageLimits {
  maxChangeOps: number;
  maxSyncMessageOps: number;
  maxSyncMessageDecodedBytes: number;
}

/** What one sync message would add: the sums over its changes' chunks. */
export type SyncMessageMeasure = ChunkMeasure;

/** Why a sync message was refused, with its websocket close code and the figures in words. */
export interface SyncMessageProblem {
  closeCode: 1007 | 1009;
  reason: "malformed-frame" | "change-too-large" | "sync-message-too-large";
  detail: string;
}

/**
 * Measures the changes a sync message carries against the per-message limits, before Automerge
 * applies any of them: a refused message is refused whole, nothing of it applied. Automerge 3
 * sends a peer that lacks part of a document a document chunk (not only changes), so those are
 * allowed, and bounded by what they decode to, not what they weigh on the wire.
 */
export function measureSyncMessage(
  data: Uint8Array,
  documentId: string,
  limits: SyncMessageLimits,
): SyncMessageMeasure | SyncMessageProblem {
  const total: SyncMessageMeasure = {
    documents: 0,
    changes: 0,
    ops: 0,
    largestChangeOps: 0,
    decodedBytes: 0,
  };
  // The frame guard has already decoded it once; decoding the envelope again is cheap.
  for (const entry of decodeSyncMessage(data).changes) {
    let measured: ChunkMeasure;
    try {
      measured = measureChunks(entry, limits.maxSyncMessageDecodedBytes - total.decodedBytes);
    } catch (error) {
      if (error instanceof InflationCapExceeded) {
        return tooLarge(
          documentId,
          `decodes to more than max_sync_message_decoded_bytes (${limits.maxSyncMessageDecodedBytes} bytes)`,
        );
      }
      if (error instanceof MalformedChunk) {
        return {
          closeCode: 1007,
          reason: "malformed-frame",
          detail: `sync message for ${documentId}: ${error.message}`,
        };
      }
      throw error;
    }
    total.documents += measured.documents;
    total.changes += measured.changes;
    total.ops += measured.ops;
    total.largestChangeOps = Math.max(total.largestChangeOps, measured.largestChangeOps);
    total.decodedBytes += measured.decodedBytes;
    if (measured.largestChangeOps > limits.maxChangeOps) {
      return {
        closeCode: 1009,
        reason: "change-too-large",
        detail: `change for ${documentId} has ${measured.largestChangeOps} ops, over max_change_ops (${limits.maxChangeOps})`,
      };
    }
    if (total.ops > limits.maxSyncMessageOps) {
      return tooLarge(
        documentId,
        `has ${total.ops}+ ops, over max_sync_message_ops (${limits.maxSyncMessageOps})`,
      );
    }
  }
  return total;
}

/** True when the message was refused. */
export function isSyncMessageProblem(
  result: SyncMessageMeasure | SyncMessageProblem,
): result is SyncMessageProblem {
  return "closeCode" in result;
}

function tooLarge(documentId: string, what: string): SyncMessageProblem {
  return {
    closeCode: 1009,
    reason: "sync-message-too-large",
    detail: `sync message for ${documentId} ${what}`,
  };
}
