import { generateAutomergeUrl } from "@automerge/automerge-repo";
import {
  DAY_MS,
  type Day,
  type DeviceId,
  dayOf,
  type MetricRollup,
  parseDeviceId,
  seededRandom,
  startOfDay,
  updateAsset,
} from "@outpost/shared-model";
import { ADMINS, type DeviceHistory, type Write } from "./device-history.js";
import { drawCommandWrites } from "./synthetic-commands.js";
import { type Draw, drawAsset, drawInventory, integer, pick } from "./synthetic-inventory.js";

/** One telemetry day in a DeviceDoc's index; `closedAt` absent while the day is open. */
export interface IndexedDay {
  day: Day;
  url: string;
  openedAt: number;
  closedAt?: number;
  samples: number;
  rollup?: Record<string, MetricRollup>;
}

/** The fleet's hostnames sort in index order, so device 0 is the table's first row. */
export function hostnameOf(index: number): string {
  return `lt-${String(index).padStart(4, "0")}`;
}

/** Device `index`'s ID as its agent would pick it: the hostname and 6 random hex digits. */
export function deviceIdentity(
  seed: number,
  index: number,
): { deviceId: DeviceId; hostname: string } {
  const random = seededRandom(deviceSeed(seed, index));
  const hostname = hostnameOf(index);
  const suffix = Array.from({ length: 6 }, () => integer(random, 0, 15).toString(16)).join("");
  return { deviceId: parseDeviceId(`${hostname}-${suffix}`), hostname };
}

/** Each device draws from its own stream, so any subset builds the same in any process. */
function deviceSeed(seed: number, index: number): number {
  return (Math.imul(seed, 0x9e3779b1) + index * 7_919) >>> 0;
}

/**
 * A synthetic device's DeviceDoc history, in the order its writers would have made it: the
 * agent's creation and inventory, one change when each telemetry day opens and one when it
 * closes (its rollup), an inventory re-collection now and then, admins' asset edits, and a few
 * commands with the agent's facts. `days` replaces the drawn telemetry index (the device with
 * real day documents).
 */
export function drawDeviceHistory(options: {
  seed: number;
  index: number;
  now: number;
  days?: readonly IndexedDay[];
}): DeviceHistory {
  const { index, now } = options;
  const { deviceId, hostname } = deviceIdentity(options.seed, index);
  const random = seededRandom(deviceSeed(options.seed, index) + 1);
  const days = options.days ?? drawIndexedDays(random, now);
  const createdAt = (days[0]?.openedAt ?? now - DAY_MS) - integer(random, 5, 600) * 1000;
  const inventory = drawInventory(random, hostname, createdAt + 2_000);
  const writes: Write[] = [
    {
      at: createdAt,
      writer: "agent",
      apply: (draft) => {
        draft.inventory = structuredClone(inventory);
      },
    },
  ];
  for (const entry of days) {
    writes.push({
      at: entry.openedAt,
      writer: "agent",
      apply: (draft) => {
        draft.telemetry[entry.day] = { url: entry.url, samples: 0 };
      },
    });
    const { closedAt, rollup } = entry;
    if (closedAt === undefined || rollup === undefined) continue;
    writes.push({
      at: closedAt,
      writer: "agent",
      apply: (draft) => {
        const indexed = draft.telemetry[entry.day];
        if (indexed === undefined) return;
        indexed.samples = entry.samples;
        indexed.rollup = structuredClone(rollup);
      },
    });
  }
  const lastSeen = days.at(-1)?.openedAt ?? createdAt;
  for (let recollect = integer(random, 0, 3); recollect > 0; recollect -= 1) {
    const at = Math.round(createdAt + random() * (lastSeen - createdAt));
    const count = inventory.software.count + integer(random, -20, 40);
    writes.push({
      at,
      writer: "agent",
      apply: (draft) => {
        if (draft.inventory === null) return;
        draft.inventory.collectedAt = at;
        draft.inventory.software.count = count;
      },
    });
  }
  for (let edit = integer(random, 1, 2); edit > 0; edit -= 1) {
    const at = Math.round(createdAt + random() * (now - createdAt));
    const writer = pick(random, ADMINS);
    const asset = drawAsset(random);
    writes.push({ at, writer, apply: (draft) => updateAsset(draft, asset, { by: writer, at }) });
  }
  writes.push(...drawCommandWrites(random, { from: createdAt, lastSeen, now, deviceId }));
  writes.sort((a, b) => a.at - b.at);
  return { deviceId, hostname, writes };
}

/**
 * A device enrolled 7 to 60 days ago. Most report every day up to today (whose day is open);
 * some laptops were last seen days ago. Closed days carry a drawn rollup, and their day
 * documents are not in the benchmark's replica (nor on its relay).
 */
function drawIndexedDays(random: Draw, now: number): IndexedDay[] {
  const today = startOfDay(dayOf(now));
  const age = integer(random, 7, 60);
  const silentDays = random() < 0.15 ? integer(random, 1, 20) : 0;
  const profile = drawLoadProfile(random);
  const days: IndexedDay[] = [];
  for (let back = age; back >= silentDays; back -= 1) {
    const dayStart = today - back * DAY_MS;
    const day = dayOf(dayStart);
    const openedAt = dayStart + integer(random, 5, 3_600) * 1000;
    const open = back === silentDays;
    const url = generateAutomergeUrl();
    if (open) {
      days.push({ day, url, openedAt, samples: 0 });
      continue;
    }
    const samples = integer(random, 1_500, 8_640);
    const closedAt = dayStart + DAY_MS + integer(random, 5, 600) * 1000;
    days.push({
      day,
      url,
      openedAt,
      closedAt,
      samples,
      rollup: drawRollup(random, profile, samples),
    });
  }
  return days;
}

/** How one machine tends to run: a few are hot, full or swapping, as in any fleet. */
interface LoadProfile {
  cpuAvg: number;
  memoryMiB: number;
  diskPercent: number;
  temperatureMax: number;
}

function drawLoadProfile(random: Draw): LoadProfile {
  return {
    cpuAvg: random() < 0.03 ? 86 + random() * 12 : 3 + random() * 25,
    memoryMiB: 3_000 + random() * 9_000,
    diskPercent: random() < 0.1 ? 86 + random() * 12 : 20 + random() * 60,
    temperatureMax: random() < 0.04 ? 86 + random() * 12 : 55 + random() * 25,
  };
}

function drawRollup(
  random: Draw,
  profile: LoadProfile,
  count: number,
): Record<string, MetricRollup> {
  const around = (value: number, spread: number) => value * (1 + (random() * 2 - 1) * spread);
  const metric = (min: number, avg: number, max: number, scale: number) => ({
    min: Math.round(min * scale) / scale,
    avg: Math.round(avg * scale) / scale,
    max: Math.round(max * scale) / scale,
    count,
  });
  const cpuAvg = Math.min(99, around(profile.cpuAvg, 0.2));
  const memoryAvg = around(profile.memoryMiB, 0.15);
  const disk = Math.min(99.9, profile.diskPercent + random() * 0.5);
  return {
    cpu: metric(0.3, cpuAvg, Math.min(100, cpuAvg + 40 + random() * 50), 10),
    memory: metric(memoryAvg * 0.6, memoryAvg, memoryAvg * 1.4, 1),
    disk: metric(disk - 0.4, disk - 0.2, disk, 10),
    netRx: metric(0, around(40, 0.8), around(4_000, 0.5), 1),
    netTx: metric(0, around(8, 0.8), around(600, 0.5), 1),
    temperature: metric(
      36,
      44 + cpuAvg * 0.3,
      Math.min(99, around(profile.temperatureMax, 0.05)),
      10,
    ),
    battery: metric(integer(random, 5, 60), integer(random, 60, 85), 100, 1),
    rtt: metric(18, around(35, 0.3), around(400, 0.5), 1),
  };
}
