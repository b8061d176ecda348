/**
 * A hostile device's machine, as a compromised one would be: a system that answers with payloads
 * for every string the inventory reads (hostname, OS, hardware, disks, network cards), a software
 * database naming its package with them, and a collector that names its metrics and units with
 * them. The real agent collects them and writes them into its documents itself;
 * hostile-records.ts writes the rest.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { AgentOptions, Collector, SystemInfo } from "@outpost/agent";
import { FIXTURE_SYSTEM } from "@outpost/agent/testing";
import type { PayloadBook } from "./hostile-payloads.js";

type Disk = Awaited<ReturnType<SystemInfo["diskLayout"]>>[number];
type Nic = Awaited<ReturnType<SystemInfo["networkInterfaces"]>>[number];

/** A system whose every string the inventory reads is a payload; the rest is the fixture's. */
export function hostileSystem(book: PayloadBook, base: SystemInfo = FIXTURE_SYSTEM): SystemInfo {
  const text = (field: string) => book.of(`inventory.${field}`);
  return {
    ...base,
    osInfo: async () => ({
      ...(await base.osInfo()),
      hostname: text("hostname"),
      platform: text("os.platform"),
      distro: text("os.distro"),
      release: text("os.release"),
      arch: text("os.arch"),
      kernel: text("os.kernel"),
    }),
    system: async () => ({
      ...(await base.system()),
      manufacturer: text("hardware.manufacturer"),
      model: text("hardware.model"),
      // The agent trims serials: a leading tab or CR would not reach the page.
      serial: book.of("inventory.hardware.serial", { trimmed: true }),
    }),
    cpu: async () => ({
      ...(await base.cpu()),
      manufacturer: text("hardware.cpu.manufacturer"),
      brand: text("hardware.cpu.brand"),
    }),
    diskLayout: async () => [
      {
        device: "/dev/sda",
        name: text("disks.name"),
        type: text("disks.type"),
        size: 512 * 1024 ** 3,
        smartStatus: text("disks.health"),
      } as Disk,
    ],
    networkInterfaces: async () => {
      const external = (await base.networkInterfaces()).find((nic) => !nic.internal);
      return [
        {
          ...external,
          iface: text("nics.name"),
          mac: text("nics.mac"),
          ip4: text("nics.ipv4"),
          internal: false,
          speed: 1000,
        } as Nic,
      ];
    },
  };
}

/** The fixture system, but with no hostname of its own: the fleet shows the enrollment's. */
export function systemWithoutHostname(base: SystemInfo = FIXTURE_SYSTEM): SystemInfo {
  return { ...base, osInfo: async () => ({ ...(await base.osInfo()), hostname: "" }) };
}

/**
 * A collector of two metrics named with payloads, their units too. The first starts with `=` and
 * reads -5: in a CSV its header must be neutralised and its values stay numbers.
 */
export function hostileCollector(book: PayloadBook): Collector {
  const negative = book.of("telemetry.metric", { lead: "=" });
  const positive = book.of("telemetry.metric.second");
  return {
    name: "hostile",
    metrics: {
      [negative]: { unit: book.of("telemetry.unit"), scale: 10 },
      [positive]: { unit: book.of("telemetry.unit.second"), scale: 1 },
    },
    defaults: { intervalS: 0 },
    create: () => ({ collect: async () => ({ [negative]: -5, [positive]: 42 }) }),
  };
}

/** A dpkg database in `folder` whose one installed package is named and versioned by payloads. */
export async function hostileSoftware(
  book: PayloadBook,
  folder: string,
): Promise<NonNullable<AgentOptions["software"]>> {
  const dpkgStatus = join(folder, "dpkg-status");
  // One line per field, trimmed by the agent: no tab or CR in front.
  const name = book.of("inventory.software.name", { trimmed: true });
  const version = book.of("inventory.software.version", { trimmed: true });
  await writeFile(
    dpkgStatus,
    `Package: ${name}\nStatus: install ok installed\nVersion: ${version}\n\n`,
  );
  return { dpkgStatus };
}
