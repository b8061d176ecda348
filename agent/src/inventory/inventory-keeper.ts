import type { DocHandle } from "@automerge/automerge-repo";
import type { DeviceDoc, Logger } from "@outpost/shared-model";
import { messageOf } from "@outpost/shared-model";
import type { SystemInfo } from "../collectors/system-info.js";
import { collectInventory } from "./collect-inventory.js";
import { sameInventory } from "./same-inventory.js";
import type { SoftwareSources } from "./software.js";

/** How often the agent looks for inventory changes (a new disk, another address, an update). */
export const INVENTORY_CHECK_MS = 3_600_000;

/**
 * Keeps the DeviceDoc's inventory current: read at start and every hour (so at least daily),
 * written only when something differs, so the device document's history grows with real changes
 * only.
 */
export class InventoryKeeper {
  readonly #device: DocHandle<DeviceDoc>;
  readonly #system: SystemInfo;
  readonly #software: SoftwareSources | undefined;
  readonly #logger: Logger;
  #checkedAt = Number.NEGATIVE_INFINITY;

  constructor(
    device: DocHandle<DeviceDoc>,
    options: { system: SystemInfo; software?: SoftwareSources; logger: Logger },
  ) {
    this.#device = device;
    this.#system = options.system;
    this.#software = options.software;
    this.#logger = options.logger;
  }

  /** Checks the inventory when an hour has passed since the last check (or never checked). */
  async refreshIfDue(now: number): Promise<void> {
    if (now - this.#checkedAt < INVENTORY_CHECK_MS) return;
    try {
      await this.refresh(now);
    } catch (error) {
      this.#logger.warn({ err: error }, `inventory not updated: ${messageOf(error)}`);
    }
  }

  /**
   * Reads the inventory now and records it if it differs (`inventory.collect`).
   *
   * @throws InventoryFailed naming the part that could not be read.
   */
  async refresh(now: number): Promise<{ changed: boolean }> {
    this.#checkedAt = now;
    const inventory = await collectInventory(this.#system, {
      now: () => now,
      software: this.#software,
    });
    if (sameInventory(this.#device.doc().inventory, inventory)) return { changed: false };
    this.#device.change((doc) => {
      doc.inventory = inventory;
    });
    this.#logger.info("inventory changed; recorded in the device document");
    return { changed: true };
  }
}
