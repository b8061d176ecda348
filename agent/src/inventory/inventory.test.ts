import type { Inventory } from "@outpost/shared-model";
import { createDeviceDoc, parseDeviceId, validateDeviceDoc } from "@outpost/shared-model";
import { describe, expect, it } from "vitest";
import { fixtureSystem } from "../collectors/testing/fixture-context.js";
import { collectInventory, InventoryFailed } from "./collect-inventory.js";
import { sameInventory } from "./same-inventory.js";
import { parseDpkgStatus } from "./software.js";

const testdata = new URL("testdata", import.meta.url).pathname;
const software = { dpkgStatus: `${testdata}/dpkg-status` };
const now = () => Date.UTC(2026, 10, 21, 9);

describe("collectInventory", () => {
  it("reads this VM's recorded inventory: volumes stand in for a missing disk layout", async () => {
    const inventory = await collectInventory(fixtureSystem(testdata), { now, software });
    expect(inventory).toMatchObject({
      collectedAt: now(),
      hostname: "vm",
      os: { platform: "linux", distro: "Debian GNU/Linux", release: "12", arch: "x64" },
      // system.json's serial is the placeholder "-": the OS's machine serial is used instead.
      hardware: { model: "Docker Container", serial: "3d1219c7c4c5404aaa1f6d2a48adfda4", cores: 2 },
      disks: [{ name: "/", type: "ext4", sizeGiB: 252 }],
      software: {
        count: 3,
        sample: [
          { name: "bash", version: "5.2.15-2+b2" },
          { name: "coreutils", version: "9.1-1" },
          { name: "zlib1g", version: "1:1.2.13.dfsg-1" },
        ],
      },
    });
    expect(inventory.nics.map((nic) => nic.name)).toEqual(["eth0"]);
    expect(inventory.hardware.memoryMiB).toBe(24106);
  });

  it("reports physical disks with their SMART health where the layout has them", async () => {
    const inventory = await collectInventory(fixtureSystem(testdata, "laptop"), { now, software });
    expect(inventory.disks).toEqual([
      { name: "Samsung SSD 870", type: "SSD", sizeGiB: 465.8, health: "Ok" },
      { name: "Samsung SSD 870", type: "SSD", sizeGiB: 465.8, health: "Predicted Failure" },
    ]);
  });

  it("is a valid DeviceDoc inventory (no undefined fields Automerge would refuse)", async () => {
    const inventory = await collectInventory(fixtureSystem(testdata), { now, software });
    const doc = { ...createDeviceDoc(parseDeviceId("vm-1")), inventory };
    expect(validateDeviceDoc(JSON.parse(JSON.stringify(doc))).problems).toEqual([]);
    const marked = JSON.stringify(inventory, (_key, value) => value ?? "<undefined>");
    expect(marked).not.toContain("<undefined>");
  });

  it("names the part it could not read", async () => {
    const system = { ...fixtureSystem(testdata), osInfo: () => Promise.reject(new Error("EIO")) };
    const failure = collectInventory(system, { now, software });
    await expect(failure).rejects.toThrow(InventoryFailed);
    await expect(failure).rejects.toThrow("inventory: reading the OS: EIO");
  });

  it("has an empty software summary where there is no package database", async () => {
    const inventory = await collectInventory(fixtureSystem(testdata), {
      now,
      software: { dpkgStatus: `${testdata}/does-not-exist` },
    });
    expect(inventory.software).toEqual({ count: 0, sample: [] });
  });
});

describe("sameInventory", () => {
  it("ignores when it was collected and sees any other difference", async () => {
    const first = await collectInventory(fixtureSystem(testdata), { now, software });
    const later: Inventory = { ...first, collectedAt: first.collectedAt + 86_400_000 };
    expect(sameInventory(first, later)).toBe(true);
    expect(sameInventory(null, later)).toBe(false);
    const moved = { ...later, nics: [{ ...later.nics[0], ipv4: ["10.1.2.3"] }] } as Inventory;
    expect(sameInventory(first, moved)).toBe(false);
  });
});

describe("parseDpkgStatus", () => {
  it("keeps installed packages only and is not fooled by description lines", () => {
    const text =
      "Package: a\nStatus: install ok installed\nVersion: 1\n\nPackage: b\nStatus: purge ok not-installed\nVersion: 2\n";
    expect(parseDpkgStatus(text)).toEqual([{ name: "a", version: "1" }]);
  });
});
