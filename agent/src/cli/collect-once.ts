import { setTimeout as delay } from "node:timers/promises";
import { makeLogger } from "@outpost/shared-model";
import { ALL_COLLECTORS } from "../collectors/all.js";
import { realSystemInfo } from "../collectors/system-info.js";
import { collectInventory } from "../inventory/collect-inventory.js";
import { systemClock } from "../runtime/clock.js";
import { Sampler } from "../telemetry/sampler.js";

/**
 * `outpost-agent collect --once`: one sample from every collector and the inventory, as JSON on
 * stdout. Rates (CPU, network) need two readings, so it samples twice a second apart and prints
 * the second. Offline: the connectivity collector reports `online: 0`.
 */
export async function collectOnce(): Promise<void> {
  const logger = makeLogger("outpost-agent", "warn");
  const offline = { isOnline: () => false, roundTripMs: async () => undefined };
  const sampler = new Sampler(
    ALL_COLLECTORS,
    { system: realSystemInfo, connectivity: offline, now: systemClock.now },
    // A one-second "interval" so that every collector, whatever its own interval, is due twice.
    { intervalS: 1, logger },
  );
  await sampler.sample(Date.now());
  await delay(1_000);
  const sample = await sampler.sample(Date.now() + 3_600_000);
  const inventory = await collectInventory(realSystemInfo, { now: systemClock.now });
  process.stdout.write(
    `${JSON.stringify({ sample: { ...sample, at: Date.now() }, inventory }, null, 2)}\n`,
  );
}
