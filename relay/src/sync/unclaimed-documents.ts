import type { DeviceId } from "@outpost/shared-model";

/** What {@link UnclaimedDocuments.reserve} found. */
export type ReserveResult = "reserved" | "reserved-by-another" | "limit-reached";

interface Reservation {
  deviceId: DeviceId;
  peerId: string;
  since: number;
}

/**
 * Documents nobody owns that a device has started to sync without sending content yet
 * (ARCHITECTURE.md, "Access"). An agent's first sync message for a document it made carries only
 * heads; the relay must answer before the changes come, but the device owns the document only once
 * they do. Until then it holds a reservation: in memory only, one device at a time, a bounded
 * number per device, and gone when the device disconnects, claims the document or lets `ttlMs` pass
 * without content.
 */
export class UnclaimedDocuments {
  readonly #byDocument = new Map<string, Reservation>();
  readonly #countByDevice = new Map<DeviceId, number>();
  readonly #maxPerDevice: number;
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(options: { maxPerDevice: number; ttlMs: number; now?: () => number }) {
    this.#maxPerDevice = options.maxPerDevice;
    this.#ttlMs = options.ttlMs;
    this.#now = options.now ?? Date.now;
  }

  /** The device holding a live reservation of `documentId`, if any. */
  holderOf(documentId: string): DeviceId | undefined {
    const reservation = this.#byDocument.get(documentId);
    if (reservation === undefined) return undefined;
    if (this.#now() - reservation.since < this.#ttlMs) return reservation.deviceId;
    this.release(documentId);
    return undefined;
  }

  /** How many documents `deviceId` holds reservations of. */
  countOf(deviceId: DeviceId): number {
    return this.#countByDevice.get(deviceId) ?? 0;
  }

  /** Reserves `documentId` for `deviceId`'s peer `peerId`, or says why not. */
  reserve(documentId: string, deviceId: DeviceId, peerId: string): ReserveResult {
    const holder = this.holderOf(documentId);
    if (holder === deviceId) return "reserved";
    if (holder !== undefined) return "reserved-by-another";
    // Expired reservations are looked for only when they would stand in the way.
    if (this.countOf(deviceId) >= this.#maxPerDevice) this.#expire();
    if (this.countOf(deviceId) >= this.#maxPerDevice) return "limit-reached";
    this.#byDocument.set(documentId, { deviceId, peerId, since: this.#now() });
    this.#countByDevice.set(deviceId, this.countOf(deviceId) + 1);
    return "reserved";
  }

  /** Drops the reservation of `documentId` (it was claimed, or has expired). */
  release(documentId: string): void {
    const reservation = this.#byDocument.get(documentId);
    if (reservation === undefined) return;
    this.#byDocument.delete(documentId);
    const count = this.countOf(reservation.deviceId) - 1;
    if (count > 0) this.#countByDevice.set(reservation.deviceId, count);
    else this.#countByDevice.delete(reservation.deviceId);
  }

  /** Drops every reservation of `peerId`, which disconnected; returns the documents released. */
  releasePeer(peerId: string): string[] {
    const released: string[] = [];
    for (const [documentId, reservation] of this.#byDocument) {
      if (reservation.peerId !== peerId) continue;
      this.release(documentId);
      released.push(documentId);
    }
    return released;
  }

  #expire(): void {
    const now = this.#now();
    for (const [documentId, reservation] of this.#byDocument)
      if (now - reservation.since >= this.#ttlMs) this.release(documentId);
  }
}
