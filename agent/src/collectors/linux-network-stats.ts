import { readdir, readFile } from "node:fs/promises";
import type { Systeminformation } from "systeminformation";

const SYS_CLASS_NET = "/sys/class/net";

/** The counters of one interface the agent uses from `networkStats`. */
export type NetworkCounters = Pick<
  Systeminformation.NetworkStatsData,
  "iface" | "operstate" | "rx_bytes" | "tx_bytes"
>;

/**
 * Interface byte counters straight from sysfs. `systeminformation.networkStats` reads the same
 * files through a shell (`cat`, one spawn per interface per call); at every tick on every device
 * that spawn is most of the agent's CPU, so on Linux the facade reads the files itself.
 *
 * @returns `undefined` where there is no sysfs (not Linux, or a sandbox hiding it).
 */
export async function linuxNetworkStats(
  root = SYS_CLASS_NET,
): Promise<NetworkCounters[] | undefined> {
  let interfaces: string[];
  try {
    interfaces = await readdir(root);
  } catch {
    return undefined;
  }
  const read = (iface: string, file: string) =>
    readFile(`${root}/${iface}/${file}`, "utf8").then((text) => text.trim());
  const stats = await Promise.all(
    interfaces.map(async (iface) => {
      try {
        const [operstate, rx, tx] = await Promise.all([
          read(iface, "operstate"),
          read(iface, "statistics/rx_bytes"),
          read(iface, "statistics/tx_bytes"),
        ]);
        const counters: NetworkCounters = {
          iface,
          operstate,
          rx_bytes: Number(rx),
          tx_bytes: Number(tx),
        };
        return counters;
      } catch {
        return undefined; // vanished between readdir and read
      }
    }),
  );
  return stats.filter((s) => s !== undefined);
}
