import { generateAutomergeUrl } from "@automerge/automerge-repo";
import { Relay, recordRootKey, writeSummariesOffline } from "@outpost/relay";
import {
  type Day,
  type DeviceId,
  type DeviceSummary,
  generateRootKey,
  silentLogger,
} from "@outpost/shared-model";
import { saveDeviceDocument } from "../../scripts/synthetic-fleet/device-history.js";
import { Enrollments } from "../../scripts/synthetic-fleet/enrollments.js";
import {
  documentIdOf,
  type SavedDocument,
  storeInRelayFolder,
} from "../../scripts/synthetic-fleet/relay-storage.js";
import {
  deviceIdentity,
  drawDeviceHistory,
} from "../../scripts/synthetic-fleet/synthetic-device.js";
import type { BuildJob } from "./builder-messages.js";
import { BuilderPool } from "./builder-pool.js";
import { type BuiltDay, indexOfWeek, planTelemetryWeek } from "./telemetry-week.js";

/** Synthetic DeviceDocs per builder job. */
const DEVICES_PER_JOB = 25;

/** The fleet on the relay, and what the dashboard's replica should end up holding. */
export interface SeededFleet {
  devices: number;
  /** Device 0 (`lt-0000`, the table's first row): the one with a week of real day documents. */
  telemetryDevice: { deviceId: DeviceId; hostname: string };
  /** Samples in the week's day documents. */
  weekSamples: number;
  dayDocuments: number;
  /** The FleetDoc, every DeviceDoc and the week's day documents. */
  documentIds: string[];
  /** The FleetDoc and every DeviceDoc. */
  fleetDocumentIds: string[];
  /** The summary shards, as the relay's own shard writer wrote them. */
  shardDocumentIds: string[];
  /**
   * What an admin's replica holds after the online visit: the FleetDoc, the shards, and the
   * telemetry device's DeviceDoc and week (the fleet view loads no other DeviceDoc but those of
   * the rows in view).
   */
  visitedDocumentIds: string[];
  /** Bytes of the saved documents (whole history, as stored). */
  deviceDocumentBytes: number;
  dayDocumentBytes: number;
}

/** Where the relay runs and how. */
export interface RelaySetting {
  dataDirectory: string;
  port: number;
  dashboardDirectory: string;
}

/**
 * Builds the fleet in builder processes and gives it to a relay: the relay starts on an empty
 * data folder (creating its FleetDoc), every device enrolls through `POST /v1/enroll`, then the
 * relay is stopped and the documents stored in its folder as it would hold them after syncing
 * (see relay-storage.ts): syncing 1,000 documents in takes the in-process relay minutes, and the
 * relay's intake is not what this benchmark measures. Returns the relay started again.
 */
export async function seedFleet(
  setting: RelaySetting,
  options: { devices: number; seed: number; now: number; log: (line: string) => void },
): Promise<{ relay: Relay; adminToken: string; fleet: SeededFleet }> {
  const { devices, seed, now, log } = options;
  const start = () =>
    Relay.start({
      dataDirectory: setting.dataDirectory,
      host: "127.0.0.1",
      port: setting.port,
      logger: silentLogger,
      dashboardDirectory: setting.dashboardDirectory,
      // Every synthetic device enrolls from 127.0.0.1; enrollment is not what is measured.
      limits: { enrollmentsPerMinute: 1_000_000_000, newDevicesPerMinute: 1_000_000_000 },
    });
  // As `outpost-relay root init` does: devices enroll only with a fleet that has a root key.
  await recordRootKey(setting.dataDirectory, (await generateRootKey()).publicKey);
  const relay = await start();
  const pool = BuilderPool.start();
  let running: Relay | undefined = relay;
  try {
    const adminToken = await relay.principals.addAdmin("alice");
    const enrollments = new Enrollments(relay.url, await relay.principals.enrollmentSecret());
    const fleetDocumentId = documentIdOf(relay.fleetDocUrl);
    const telemetryDevice = deviceIdentity(seed, 0);
    const plans = planTelemetryWeek(now);
    const dayUrls = new Map<Day, string>(plans.map((plan) => [plan.day, generateAutomergeUrl()]));
    const days = new Map<Day, Pick<BuiltDay, "samples" | "rollup">>();
    const saved: SavedDocument[] = [];
    const summaries: [DeviceId, DeviceSummary][] = [];

    // The long jobs first, so that no builder is left with a day document at the end.
    const jobs: BuildJob[] = [...plans]
      .sort((a, b) => b.lastAt - b.firstAt - (a.lastAt - a.firstAt))
      .map((plan, position) => ({
        type: "day",
        deviceId: telemetryDevice.deviceId,
        plan,
        seed: seed + position,
      }));
    for (let first = 1; first < devices; first += DEVICES_PER_JOB) {
      const count = Math.min(DEVICES_PER_JOB, devices - first);
      const indices = Array.from({ length: count }, (_, offset) => first + offset);
      jobs.push({ type: "devices", seed, now, indices });
    }
    let built = 0;
    await pool.run(jobs, (result) => {
      if (result.type === "day") {
        const { binary, heads, day, samples, rollup } = result.day;
        days.set(day, { samples, rollup });
        saved.push({ documentId: documentIdOf(dayUrls.get(day) as string), binary, heads });
        log(`  ${day}: ${samples.toLocaleString("en")} samples, one change each`);
        return;
      }
      for (const { deviceId, hostname, binary, heads, summary } of result.devices) {
        const deviceDocUrl = generateAutomergeUrl();
        enrollments.enroll({ deviceId, hostname, deviceDocUrl });
        saved.push({ documentId: documentIdOf(deviceDocUrl), binary, heads });
        summaries.push([deviceId, summary]);
      }
      built += result.devices.length;
      if (built % 250 < DEVICES_PER_JOB) log(`  ${built} synthetic DeviceDocs`);
    });
    const week = indexOfWeek(plans, days, dayUrls);
    const telemetryDoc = saveDeviceDocument(drawDeviceHistory({ seed, index: 0, now, days: week }));
    const telemetryDocUrl = generateAutomergeUrl();
    enrollments.enroll({ ...telemetryDevice, deviceDocUrl: telemetryDocUrl });
    saved.push({ documentId: documentIdOf(telemetryDocUrl), ...telemetryDoc });
    summaries.push([telemetryDevice.deviceId, telemetryDoc.summary]);
    await enrollments.whenDone();

    await relay.stop();
    running = undefined;
    await storeInRelayFolder(setting.dataDirectory, saved);
    // The summaries the relay would have written on syncing these DeviceDocs, by its own writer.
    const shards = await writeSummariesOffline(setting.dataDirectory, summaries);
    log(`  ${summaries.length} summaries in ${shards.shards.length} shards`);
    running = await start();
    const dayIds = new Set([...dayUrls.values()].map(documentIdOf));
    const deviceDocs = saved.filter((document) => !dayIds.has(document.documentId));
    const bytesOf = (documents: SavedDocument[]) =>
      documents.reduce((sum, document) => sum + document.binary.byteLength, 0);
    return {
      relay: running,
      adminToken,
      fleet: {
        devices,
        telemetryDevice,
        weekSamples: [...days.values()].reduce((sum, day) => sum + day.samples, 0),
        dayDocuments: days.size,
        documentIds: [fleetDocumentId, ...saved.map((document) => document.documentId)],
        fleetDocumentIds: [fleetDocumentId, ...deviceDocs.map((document) => document.documentId)],
        shardDocumentIds: shards.shards.map(documentIdOf),
        visitedDocumentIds: [
          fleetDocumentId,
          ...shards.shards.map(documentIdOf),
          documentIdOf(telemetryDocUrl),
          ...dayIds,
        ],
        deviceDocumentBytes: bytesOf(deviceDocs),
        dayDocumentBytes: bytesOf(saved.filter((document) => dayIds.has(document.documentId))),
      },
    };
  } catch (error) {
    await running?.stop().catch(() => {});
    throw error;
  } finally {
    await pool.close();
  }
}
