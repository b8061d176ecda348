import { uptime } from "node:os";
import si, { type Systeminformation } from "systeminformation";
import { linuxNetworkStats, type NetworkCounters } from "./linux-network-stats.js";

/**
 * The part of `systeminformation` the agent uses, as one injectable facade: collectors and the
 * inventory read the system only through it, so tests feed them recorded fixtures instead.
 */
export interface SystemInfo {
  currentLoad(): Promise<Systeminformation.CurrentLoadData>;
  mem(): Promise<Systeminformation.MemData>;
  fsSize(): Promise<Systeminformation.FsSizeData[]>;
  diskLayout(): Promise<Systeminformation.DiskLayoutData[]>;
  /** Counters of every interface (`networkStats("*")`). */
  networkStats(): Promise<NetworkCounters[]>;
  battery(): Promise<Systeminformation.BatteryData>;
  cpuTemperature(): Promise<Systeminformation.CpuTemperatureData>;
  time(): Systeminformation.TimeData;
  processes(): Promise<Systeminformation.ProcessesData>;
  system(): Promise<Systeminformation.SystemData>;
  osInfo(): Promise<Systeminformation.OsData>;
  cpu(): Promise<Systeminformation.CpuData>;
  networkInterfaces(): Promise<Systeminformation.NetworkInterfacesData[]>;
}

/** The real system, through `systeminformation`. */
export const realSystemInfo: SystemInfo = {
  currentLoad: () => si.currentLoad(),
  mem: () => si.mem(),
  fsSize: () => si.fsSize(),
  diskLayout: () => si.diskLayout(),
  networkStats: async () => (await linuxNetworkStats()) ?? si.networkStats("*"),
  battery: () => si.battery(),
  cpuTemperature: () => si.cpuTemperature(),
  // `si.time()` runs a shell for the time zone on every call; uptime is all the agent needs.
  time: () => ({ current: Date.now(), uptime: uptime(), timezone: "", timezoneName: "" }),
  processes: () => si.processes(),
  system: () => si.system(),
  osInfo: () => si.osInfo(),
  cpu: () => si.cpu(),
  networkInterfaces: () => si.networkInterfaces(),
};
