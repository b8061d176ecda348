import type { Inventory } from "@outpost/shared-model";
import { messageOf } from "@outpost/shared-model";
import type { Systeminformation } from "systeminformation";
import type { SystemInfo } from "../collectors/system-info.js";
import { type SoftwareSources, summarizeSoftware } from "./software.js";

const MIB = 1024 ** 2;
const GIB = 1024 ** 3;

/** Inventory could not be read; says which part failed. */
export class InventoryFailed extends Error {
  override name = "InventoryFailed";

  constructor(
    /** The part being read, as the message names it: "the OS", "memory". */
    readonly part: string,
    cause: unknown,
  ) {
    super(
      `inventory: reading ${part}: ${messageOf(cause)}; the device document keeps the last ` +
        "inventory read; if this persists, check that the agent may read the system's hardware details",
      { cause },
    );
  }
}

/**
 * Reads the device's inventory: hardware, OS, disks (with SMART health where reported), network
 * cards and the installed-software summary. Sizes are rounded (GiB to 0.1, memory to whole MiB)
 * so the same machine yields the same inventory and the device document changes only when
 * something really did.
 *
 * @throws InventoryFailed naming the part that could not be read.
 */
export async function collectInventory(
  system: SystemInfo,
  options: { now: () => number; software?: SoftwareSources },
): Promise<Inventory> {
  const read = <T>(part: string, call: () => Promise<T>) =>
    call().catch((cause: unknown) => {
      throw new InventoryFailed(part, cause);
    });
  const [machine, os, cpu, memory, disks, volumes, nics, software] = await Promise.all([
    read("the system model", () => system.system()),
    read("the OS", () => system.osInfo()),
    read("the CPU", () => system.cpu()),
    read("memory", () => system.mem()),
    // Optional parts: a VM has no disk layout, a locked-down host may hide interfaces.
    system.diskLayout().catch(() => []),
    system.fsSize().catch(() => []),
    system.networkInterfaces().catch(() => []),
    summarizeSoftware(options.software),
  ]);
  return {
    collectedAt: options.now(),
    hostname: os.hostname,
    os: {
      platform: os.platform,
      distro: os.distro,
      release: os.release,
      arch: os.arch,
      kernel: os.kernel,
    },
    hardware: {
      manufacturer: machine.manufacturer,
      model: machine.model,
      serial: meaningful(machine.serial) ?? meaningful(os.serial) ?? "",
      cpu: [cpu.manufacturer, cpu.brand].filter(Boolean).join(" "),
      cores: cpu.cores,
      memoryMiB: Math.round(memory.total / MIB),
    },
    disks: disks.length > 0 ? disks.map(physicalDisk) : volumes.map(volumeAsDisk),
    nics: nics.filter((nic) => !nic.internal).map(networkCard),
    software,
  };
}

/** Firmware fills unset serials with placeholders; those identify nothing. */
function meaningful(serial: string | undefined): string | undefined {
  const trimmed = serial?.trim();
  if (!trimmed || /^(-|0+|none|default string|to be filled by o\.e\.m\.)$/i.test(trimmed)) {
    return undefined;
  }
  return trimmed;
}

function physicalDisk(disk: Systeminformation.DiskLayoutData): Inventory["disks"][number] {
  const entry: Inventory["disks"][number] = {
    name: disk.name || disk.device,
    type: disk.type,
    sizeGiB: roundTenth(disk.size / GIB),
  };
  if (disk.smartStatus && disk.smartStatus.toLowerCase() !== "unknown") {
    entry.health = disk.smartStatus;
  }
  return entry;
}

/** Without a disk layout (VMs, containers), the mounted volumes are the next best thing. */
function volumeAsDisk(volume: Systeminformation.FsSizeData): Inventory["disks"][number] {
  return { name: volume.mount, type: volume.type, sizeGiB: roundTenth(volume.size / GIB) };
}

function networkCard(nic: Systeminformation.NetworkInterfacesData): Inventory["nics"][number] {
  const entry: Inventory["nics"][number] = {
    name: nic.iface,
    mac: nic.mac,
    ipv4: nic.ip4 ? [nic.ip4] : [],
  };
  if (typeof nic.speed === "number" && nic.speed > 0) entry.speedMbps = nic.speed;
  return entry;
}

function roundTenth(value: number): number {
  return Math.round(value * 10) / 10;
}
