/**
 * Every collector plugin the agent ships. Only the entry points import this list; the core looks
 * plugins up by name (`selectCollectors`).
 */
import { batteryCollector } from "./battery/battery.js";
import type { Collector } from "./collector.js";
import { connectivityCollector } from "./connectivity/connectivity.js";
import { cpuCollector } from "./cpu/cpu.js";
import { diskCollector } from "./disk/disk.js";
import { memoryCollector } from "./memory/memory.js";
import { networkCollector } from "./network/network.js";
import { processesCollector } from "./processes/processes.js";
import { temperatureCollector } from "./temperature/temperature.js";
import { uptimeCollector } from "./uptime/uptime.js";

/** The built-in collectors, in the order their metrics appear. */
export const ALL_COLLECTORS: readonly Collector[] = [
  cpuCollector,
  memoryCollector,
  diskCollector,
  networkCollector,
  batteryCollector,
  temperatureCollector,
  uptimeCollector,
  processesCollector,
  connectivityCollector,
];
