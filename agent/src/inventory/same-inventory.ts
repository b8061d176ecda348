import { isDeepStrictEqual } from "node:util";
import type { Inventory } from "@outpost/shared-model";

/**
 * True when two inventories describe the same device state, whenever each was collected: the
 * device document gets a change only when this is false.
 */
export function sameInventory(a: Inventory | null, b: Inventory): boolean {
  if (a === null) return false;
  // Automerge hands back proxies; JSON turns both sides into plain values to compare.
  const plain = (inventory: Inventory) =>
    JSON.parse(JSON.stringify({ ...inventory, collectedAt: 0 }));
  return isDeepStrictEqual(plain(a), plain(b));
}
