import type { AssetFields, Inventory, Lifecycle } from "@outpost/shared-model";

/** A seeded draw in [0, 1). */
export type Draw = () => number;

const MODELS = [
  { manufacturer: "Lenovo", model: "ThinkPad T14 Gen 4", cpu: "Intel Core i7-1365U", cores: 10 },
  {
    manufacturer: "Lenovo",
    model: "ThinkPad X1 Carbon Gen 11",
    cpu: "Intel Core i7-1355U",
    cores: 10,
  },
  { manufacturer: "Dell", model: "Latitude 5440", cpu: "Intel Core i5-1345U", cores: 10 },
  { manufacturer: "Dell", model: "OptiPlex 7010", cpu: "Intel Core i5-13500", cores: 14 },
  { manufacturer: "HP", model: "EliteBook 840 G10", cpu: "Intel Core i5-1340P", cores: 12 },
  { manufacturer: "Apple", model: "MacBook Air (M2)", cpu: "Apple M2", cores: 8 },
  { manufacturer: "Framework", model: "Laptop 13 (AMD)", cpu: "AMD Ryzen 7 7840U", cores: 8 },
] as const;

const SYSTEMS = [
  {
    platform: "win32",
    distro: "Microsoft Windows 11 Pro",
    release: "10.0.22631",
    kernel: "10.0.22631",
  },
  {
    platform: "win32",
    distro: "Microsoft Windows 10 Pro",
    release: "10.0.19045",
    kernel: "10.0.19045",
  },
  { platform: "linux", distro: "Ubuntu", release: "24.04.1 LTS", kernel: "6.8.0-45-generic" },
  { platform: "linux", distro: "Debian GNU/Linux", release: "12", kernel: "6.1.0-25-amd64" },
  { platform: "darwin", distro: "macOS", release: "14.6.1", kernel: "23.6.0" },
] as const;

const SOFTWARE = [
  ["firefox", "131.0"],
  ["google-chrome-stable", "129.0.6668.89"],
  ["libreoffice", "24.2.6"],
  ["thunderbird", "128.3.0"],
  ["openssh-client", "9.6p1"],
  ["python3", "3.12.3"],
  ["git", "2.43.0"],
  ["vlc", "3.0.20"],
  ["zoom", "6.2.3"],
  ["slack-desktop", "4.40.128"],
  ["code", "1.94.0"],
  ["7zip", "24.08"],
  ["teams", "24243.1309"],
  ["acrobat-reader", "24.003.20112"],
] as const;

const FIRST_NAMES = ["ana", "ben", "chloe", "dev", "eva", "farid", "gwen", "hugo", "ines", "jon"];
const LAST_NAMES = ["smith", "garcia", "muller", "rossi", "kowalski", "nguyen", "okafor", "berg"];
const SITES = ["Lyon HQ", "Lyon HQ", "Paris office", "Berlin office", "Remote", "Warehouse"];
const TAGS = ["finance", "engineering", "sales", "support", "loaner", "vip", "kiosk", "field"];
/** Mostly deployed, as a real fleet is; a few of every other state. */
const LIFECYCLE_WEIGHTS: readonly [Lifecycle, number][] = [
  ["deployed", 0.88],
  ["in-repair", 0.04],
  ["ordered", 0.03],
  ["lost", 0.01],
  ["retired", 0.04],
];

/** One of `items`, uniformly. */
export function pick<T>(random: Draw, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

/** A whole number in [min, max]. */
export function integer(random: Draw, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** What an agent collects from a laptop or desktop, drawn from a realistic catalog. */
export function drawInventory(
  random: Draw,
  hostname: string,
  collectedAt: number,
): Inventory & { hardware: { memoryMiB: number } } {
  const model = pick(random, MODELS);
  const system = pick(random, SYSTEMS);
  const memoryMiB = pick(random, [8_192, 16_384, 16_384, 32_768]);
  const mac = () =>
    Array.from({ length: 6 }, () => integer(random, 0, 255).toString(16).padStart(2, "0")).join(
      ":",
    );
  const software = SOFTWARE.filter(() => random() < 0.7).map(([name, version]) => ({
    name,
    version,
  }));
  return {
    collectedAt,
    hostname,
    os: { ...system, arch: model.manufacturer === "Apple" ? "arm64" : "x64" },
    hardware: {
      manufacturer: model.manufacturer,
      model: model.model,
      serial: `${model.manufacturer.slice(0, 2).toUpperCase()}${integer(random, 1e7, 9e7)}`,
      cpu: model.cpu,
      cores: model.cores,
      memoryMiB,
    },
    disks: [
      { name: "nvme0n1", type: "NVMe", sizeGiB: pick(random, [256, 512, 512, 1024]), health: "OK" },
    ],
    nics: [
      {
        name: "wlan0",
        mac: mac(),
        ipv4: [
          `10.${integer(random, 0, 20)}.${integer(random, 0, 255)}.${integer(random, 2, 250)}`,
        ],
        speedMbps: 866,
      },
      { name: "eth0", mac: mac(), ipv4: [] },
    ],
    software: { count: integer(random, 180, 2_400), sample: software },
  };
}

/** An asset record as admins keep it: assignee, state, site, a tag or two, sometimes a note. */
export function drawAsset(random: Draw): AssetFields {
  let lifecycle: Lifecycle = "deployed";
  let threshold = random();
  for (const [state, weight] of LIFECYCLE_WEIGHTS) {
    threshold -= weight;
    if (threshold < 0) {
      lifecycle = state;
      break;
    }
  }
  const unassigned = lifecycle === "ordered" || lifecycle === "retired";
  return {
    assignee: unassigned ? "" : `${pick(random, FIRST_NAMES)}.${pick(random, LAST_NAMES)}`,
    lifecycle,
    location: pick(random, SITES),
    tags: TAGS.filter(() => random() < 0.15),
    notes: random() < 0.2 ? "Docking station and second screen at the desk." : "",
  };
}
