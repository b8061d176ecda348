/**
 * How devices are spread over summary shards: by a stable hash of the device ID, so every
 * replica and every relay version puts a device in the same shard, and a shard count that is a
 * power of two, so growing the fleet splits each shard in two (a device in shard `k` of `n` goes
 * to `k` or `k + n` of `2n`) instead of moving every device.
 */

/** Devices per shard the relay aims at; shards split before the average passes it. */
export const SUMMARY_SHARD_TARGET = 192;
/** The most devices a shard should hold; at the target average a shard passes it very rarely. */
export const SUMMARY_SHARD_MAX = 256;

/** 32-bit FNV-1a of the ID's UTF-16 code units: stable, fast, and spreads short IDs well. */
export function deviceHash(deviceId: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < deviceId.length; index += 1) {
    hash ^= deviceId.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** The shard of `deviceId` among `shardCount` (a power of two). */
export function shardOf(deviceId: string, shardCount: number): number {
  return deviceHash(deviceId) % shardCount;
}

/** The shard count for a fleet of `devices`: the smallest power of two ≥ devices / target. */
export function shardCountFor(devices: number): number {
  let count = 1;
  while (count * SUMMARY_SHARD_TARGET < devices) count *= 2;
  return count;
}

/** True for a shard count this code writes: a power of two from 1 to 65,536. */
export function isShardCount(value: unknown): value is number {
  return (
    typeof value === "number" &&
    Number.isInteger(value) &&
    value >= 1 &&
    value <= 65_536 &&
    (value & (value - 1)) === 0
  );
}
