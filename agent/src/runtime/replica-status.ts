import { join } from "node:path";
import { next as A } from "@automerge/automerge";
import { type AutomergeUrl, decodeHeads, type UrlHeads } from "@automerge/automerge-repo";
import {
  countSamples,
  type Day,
  type DeviceDoc,
  fold,
  isArchived,
  plainCommands,
  type TelemetryDayDoc,
} from "@outpost/shared-model";
import { openReadOnlyReplica, shutdownRepo } from "@outpost/shared-model/storage";
import { loadCredentials } from "../enrollment/credentials.js";
import { AgentStateStore } from "../state/agent-state.js";
import { folderBytes } from "../telemetry/folder-bytes.js";
import { DOCUMENTS_FOLDER } from "./agent.js";

/** One telemetry day as the local replica holds it. */
export interface DayStatus {
  day: Day;
  /** False once deleted locally after the relay stored it. */
  onDisk: boolean;
  closed: boolean;
  /** Samples on this disk (`null` once evicted). */
  samples: number | null;
  /** Samples the relay has not durably stored yet. */
  notStored: number;
  /** When the relay's last acknowledgement of the day arrived, ISO time. */
  acknowledgedAt: string | null;
  /** True when the day was downsampled to stay within the disk budget. */
  downsampled: boolean;
}

/** What `outpost-agent status` reports. */
export interface ReplicaStatus {
  deviceId: string;
  deviceDocUrl: string;
  enrolledWith: string | null;
  days: DayStatus[];
  /** Samples on this disk the relay has not durably stored yet, all days together. */
  samplesNotStored: number;
  /** The latest durable acknowledgement of any document, ISO time. */
  lastAcknowledgement: string | null;
  /** Commands by state (from the fold). */
  queue: Record<string, number>;
  dataBytes: number;
}

/**
 * Reads the local replica in `dataDirectory` without changing it (safe while the agent runs: the
 * store is opened read-only and nothing syncs).
 *
 * @returns `undefined` when the agent has never run with this data folder.
 */
export async function readReplicaStatus(dataDirectory: string): Promise<ReplicaStatus | undefined> {
  const state = await AgentStateStore.read(dataDirectory);
  if (state === undefined) return undefined;
  const credentials = await loadCredentials(dataDirectory).catch(() => undefined);
  const repo = await openReadOnlyReplica(join(dataDirectory, DOCUMENTS_FOLDER));
  try {
    const device = (await repo.find<DeviceDoc>(state.deviceDocUrl as AutomergeUrl)).doc();
    const days: DayStatus[] = [];
    for (const day of (Object.keys(device.telemetry) as Day[]).sort()) {
      const entry = device.telemetry[day];
      const dayState = state.days[day];
      const onDisk = dayState?.evictedAt === undefined;
      let samples: number | null = null;
      let notStored = 0;
      if (onDisk && entry) {
        const doc = await repo
          .find<TelemetryDayDoc>(entry.url as AutomergeUrl)
          .then((handle) => handle.doc())
          .catch(() => undefined);
        if (doc) {
          samples = countSamples(doc);
          notStored = samples - storedSamples(doc, dayState?.acknowledged?.heads);
        }
      }
      days.push({
        day,
        onDisk,
        closed: entry?.rollup !== undefined,
        samples,
        notStored,
        acknowledgedAt: iso(dayState?.acknowledged?.receivedAt),
        downsampled: (dayState?.downsampledFrom?.length ?? 0) > 0,
      });
    }
    const acknowledgements = [
      state.deviceDocAcknowledged?.receivedAt,
      ...Object.values(state.days).map((d) => d.acknowledged?.receivedAt),
    ].filter((at): at is number => at !== undefined);
    const queue: Record<string, number> = {};
    for (const command of Object.values(plainCommands(device.commands))) {
      // Archived commands are counted apart: they left the queue.
      const status = isArchived(command) ? "archived" : fold(command.spec, command.events).status;
      queue[status] = (queue[status] ?? 0) + 1;
    }
    return {
      deviceId: state.deviceId,
      deviceDocUrl: state.deviceDocUrl,
      enrolledWith: credentials?.relayUrl ?? null,
      days,
      samplesNotStored: days.reduce((sum, d) => sum + d.notStored, 0),
      lastAcknowledgement: iso(acknowledgements.length ? Math.max(...acknowledgements) : undefined),
      queue,
      dataBytes: await folderBytes(dataDirectory),
    };
  } finally {
    await shutdownRepo(repo);
  }
}

/** Samples in the state the relay acknowledged (0 without an acknowledgement). */
function storedSamples(doc: TelemetryDayDoc, heads: readonly string[] | undefined): number {
  if (heads === undefined) return 0;
  try {
    const decoded = decodeHeads(heads as UrlHeads);
    if (!A.hasHeads(doc, decoded)) return 0;
    return countSamples(A.view(doc, decoded) as TelemetryDayDoc);
  } catch {
    return 0;
  }
}

function iso(at: number | undefined): string | null {
  return at === undefined ? null : new Date(at).toISOString();
}

/** The status as an admin reads it in a terminal. */
export function formatStatus(status: ReplicaStatus): string {
  const lines = [
    `device ${status.deviceId} (${status.deviceDocUrl})`,
    `relay: ${status.enrolledWith ?? "not enrolled yet"}`,
    `last acknowledgement from the relay: ${status.lastAcknowledgement ?? "never"}`,
    `samples not yet stored by the relay: ${status.samplesNotStored}`,
    `data folder: ${(status.dataBytes / 1024 / 1024).toFixed(1)} MiB`,
    `commands: ${
      Object.entries(status.queue)
        .map(([s, n]) => `${n} ${s}`)
        .join(", ") || "none"
    }`,
    "days:",
  ];
  for (const d of status.days) {
    const where = d.onDisk ? `${d.samples ?? "?"} samples on disk` : "evicted (the relay has it)";
    const flags = [d.closed ? "closed" : "open", d.downsampled ? "downsampled" : ""].filter(
      Boolean,
    );
    const stored = d.onDisk ? `, ${d.notStored} not yet stored by the relay` : "";
    lines.push(`  ${d.day}  ${flags.join(", ")}: ${where}${stored}`);
  }
  return `${lines.join("\n")}\n`;
}
