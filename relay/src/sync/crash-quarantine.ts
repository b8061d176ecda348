import type { Logger } from "@outpost/shared-model";
import { ThrottledWarning } from "../log/throttled-warning.js";
import type { RelayMetrics } from "../metrics/relay-metrics.js";
import type { QuarantineGuard } from "../network/authenticated-server-adapter.js";
import { CrashRecords } from "../state/crash-records.js";
import { AutomergeWork } from "./automerge-work.js";

/**
 * Reads the data folder's crash records at start-up and builds the guard the sync adapter
 * consults: the documents to refuse, and the work tracker that names suspects if Automerge fails
 * again. The FleetDoc is never quarantined (the relay cannot serve without it); a crash loop on it
 * is logged for the operator instead.
 */
export function openCrashQuarantine(options: {
  dataDirectory: string;
  fleetDocumentId: string | undefined;
  logger: Logger;
  metrics: RelayMetrics;
  trapOnDocumentId?: string;
}): QuarantineGuard {
  const { logger, metrics } = options;
  const records = new CrashRecords(options.dataDirectory);
  const quarantined = records.quarantined(logger);
  if (options.fleetDocumentId !== undefined && quarantined.delete(options.fleetDocumentId)) {
    logger.error(
      { documentId: options.fleetDocumentId, path: records.path },
      "the relay crashed repeatedly while working on the fleet document; it cannot be quarantined",
    );
  }
  metrics.documentsQuarantined.set(quarantined.size);
  for (const documentId of quarantined) {
    logger.error(
      { documentId, path: records.path },
      `document ${documentId} is quarantined: the relay crashed working on it more than once; it stays on disk, refused to everyone, until its lines are removed from ${records.path}`,
    );
  }
  const refusals = new ThrottledWarning(logger, { intervalMs: 10_000 });
  return {
    isQuarantined: (documentId) => quarantined.has(documentId),
    warn: (documentId, peerId) =>
      refusals.warn(
        { documentId, peerId, reason: "document-quarantined" },
        `refused quarantined document ${documentId} to ${peerId}`,
      ),
    work: new AutomergeWork(records, options.trapOnDocumentId),
  };
}
