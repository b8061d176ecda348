/**
 * Stored bytes: a device could make the relay store as much as it liked. Each
 * device now has a quota of bytes on the relay's disk; past it, its new content is refused with a
 * clear reason, counted and logged, and its DeviceDoc stays writable so it remains manageable.
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { CrashSafeFileStorageAdapter } from "@outpost/shared-model/storage";
import { eventually, LEVEL, recordingLogger } from "@outpost/shared-model/testing";
import { describe, expect, it } from "vitest";
import { enrollDevice } from "./testing/clients.js";
import { acknowledges, DurableAckLog } from "./testing/durable-ack-log.js";
import { relayPerTest } from "./testing/relay-fixture.js";
import { fetchHealth, fetchMetrics, metricValue, rejectionCount } from "./testing/relay-http.js";

const startRelay = relayPerTest();

/** Random hex: it compresses to about half its length, no further. */
function randomHex(bytes: number): string {
  return randomBytes(bytes / 2).toString("hex");
}

describe("the per-device storage quota", () => {
  it("refuses a device's new content past its quota, but not its DeviceDoc", {
    timeout: 60_000,
  }, async () => {
    const log = recordingLogger();
    const fixture = await startRelay({
      limits: { maxStoredBytesPerDevice: 32 * 1024 },
      logger: log.logger,
    });
    const { relay, dataDirectory } = fixture;
    const device = await enrollDevice(relay, "laptop-a");
    // Within the quota when it arrives, this day takes the device over it.
    const day = device.repo.create<{ samples: string[] }>({ samples: [randomHex(128 * 1024)] });
    await new DurableAckLog(day, relay.peerId).waitFor(() => true, "of the first day", {
      timeoutMs: 20_000,
    });

    day.change((doc) => {
      doc.samples.push("past the quota");
    });
    const nextDay = device.repo.create({ samples: ["a new day"] });
    await eventually(
      async () => (await rejectionCount(relay.url, "storage-quota")) >= 2,
      "both refused for the quota",
      30_000,
    );
    const metrics = await fetchMetrics(relay.url);
    expect(metricValue(metrics, "outpost_relay_devices_over_quota")).toBe(1);
    // The device is told only that the document is unavailable (automerge-repo's protocol has
    // no reason); the relay's log says which document, whose, how much it stores and which limit.
    const refusal = log.at(LEVEL.warn).find((line) => line.reason === "storage-quota");
    expect(refusal?.principal).toBe("device:laptop-a");
    expect([day.documentId, nextDay.documentId]).toContain(refusal?.documentId);
    expect(refusal?.msg).toMatch(
      /^refused \S+ to device:laptop-a: device laptop-a stores [\d.]+ MiB on the relay; its quota \(max_stored_bytes_per_device\) is [\d.]+ MiB$/,
    );

    // The DeviceDoc still syncs: an operator can still command the device.
    const deviceDocAcks = new DurableAckLog(device.deviceDoc, relay.peerId);
    device.deviceDoc.change((doc) => {
      (doc as unknown as { note: string }).note = "written past the quota";
    });
    const heads = device.deviceDoc.heads();
    await deviceDocAcks.waitFor(
      (ack) => acknowledges(ack, device.deviceDoc.doc(), heads),
      "of the DeviceDoc change",
      { timeoutMs: 20_000 },
    );
    expect((await fetchHealth(relay.url)).ownedDocuments).toBe(2);

    await device.repo.shutdown();
    await relay.stop();
    const stored = await CrashSafeFileStorageAdapter.create(join(dataDirectory, "documents"), {
      readOnly: true,
    });
    expect(await stored.hasAnyUnder([nextDay.documentId])).toBe(false);
  });
});
