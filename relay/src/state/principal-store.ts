import { EventEmitter } from "node:events";
import { join } from "node:path";
import type { DeviceId, Logger, Principal } from "@outpost/shared-model";
import { hashToken, newToken, secretsEqual } from "../auth/tokens.js";
import { AdminKeyStore } from "./admin-key-store.js";
import type { DeviceEntry } from "./device-entries.js";
import { EnrollmentTokens } from "./enrollment-tokens.js";
import { Journal } from "./journal.js";
import { PendingEnrollments } from "./pending-enrollments.js";
import type { PrincipalEntry } from "./principal-entries.js";
import { parsePrincipalEntry } from "./principal-entries.js";

/** An enrolled device as the relay remembers it. */
export interface DeviceRecord {
  deviceId: DeviceId;
  hostname: string;
  deviceDocumentId: string;
  enrolledAt: number;
  /** When an admin revoked it: its token is refused until it enrolls again. */
  revokedAt?: number;
}

/** A device an admin removed: gone from the fleet, its ID held until its documents are purged. */
export type RemovedDeviceRecord = DeviceRecord & { removedAt: number };

/** Events of {@link PrincipalStore}: a token stopped being valid (revoked admin, rotated device). */
export interface PrincipalStoreEvents {
  "token-revoked": [tokenHash: string, principal: Principal];
  /** A device was revoked or removed (the FleetDoc follows; see FleetDeviceMarks). */
  "device-changed": [deviceId: DeviceId];
}

/** Thrown for an admin name that is taken or unknown; the CLI shows the message as it is. */
export class AdminNameError extends Error {
  override name = "AdminNameError";

  constructor(
    readonly adminName: string,
    readonly problem: "taken" | "unknown",
  ) {
    super(
      problem === "taken"
        ? `admin ${adminName} already exists; revoke it first to issue a new token`
        : `no admin named ${adminName}; "outpost-relay admin list" shows the admins`,
    );
  }
}

/**
 * Who may connect: admin tokens, device tokens (only their SHA-256 hashes), the fleet enrollment
 * secret and the relay's identity, kept in `principals.jsonl` in the data folder. The relay and
 * the CLI both write it; a running relay follows the file, so `admin revoke` in a shell closes
 * that admin's connections.
 */
export class PrincipalStore extends EventEmitter<PrincipalStoreEvents> {
  /** The fleet's root key and admin keys, kept in the same journal. */
  readonly adminKeys: AdminKeyStore;
  readonly #byTokenHash = new Map<string, Principal>();
  readonly #admins = new Map<string, { tokenHash: string; addedAt: number }>();
  readonly #devices = new Map<string, DeviceRecord & { tokenHash: string }>();
  readonly #removed = new Map<string, RemovedDeviceRecord>();
  /** One-time enrollment tokens, in this journal. */
  readonly enrollmentTokens = new EnrollmentTokens((entry) => this.#append(entry));
  /** Re-enrollments waiting for an admin, in this journal. */
  readonly pendingEnrollments = new PendingEnrollments((entry) => this.#append(entry));
  #enrollmentSecret: string | undefined;
  #identity: { relayId: string; fleetDocumentId: string } | undefined;
  #journal: Journal<PrincipalEntry> | undefined;

  private constructor(logger: Logger) {
    super();
    this.adminKeys = new AdminKeyStore((entry) => this.#append(entry), logger);
  }

  /** Opens the store of the data folder `dataDirectory`. */
  static async open(dataDirectory: string, logger: Logger): Promise<PrincipalStore> {
    const store = new PrincipalStore(logger);
    store.#journal = await Journal.open(
      join(dataDirectory, "principals.jsonl"),
      parsePrincipalEntry,
      (entry) => store.#apply(entry),
      logger,
    );
    return store;
  }

  /** Starts following appends by other processes (a relay does; the CLI does not need to). */
  follow(): void {
    this.#journal?.follow();
  }

  /** Stops following the file. */
  close(): void {
    this.#journal?.close();
  }

  /** The principal a token authenticates, or `undefined` for an unknown or revoked token. */
  authenticate(token: string): Principal | undefined {
    return this.#byTokenHash.get(hashToken(token));
  }

  /** The relay's identity, once {@link initialize} ran. */
  get identity(): { relayId: string; fleetDocumentId: string } | undefined {
    return this.#identity;
  }

  /** Records the relay's identity and fleet document (first start only). */
  async initialize(relayId: string, fleetDocumentId: string): Promise<void> {
    await this.#append({ op: "relay-initialized", at: Date.now(), relayId, fleetDocumentId });
  }

  /** Adds an admin and returns the token, the only time it exists in clear. */
  async addAdmin(name: string): Promise<string> {
    if (this.#admins.has(name)) throw new AdminNameError(name, "taken");
    const token = newToken("admin");
    await this.#append({ op: "admin-added", at: Date.now(), name, tokenHash: hashToken(token) });
    return token;
  }

  /** Revokes an admin's token; a running relay closes that admin's connections. */
  async revokeAdmin(name: string): Promise<void> {
    if (!this.#admins.has(name)) throw new AdminNameError(name, "unknown");
    await this.#append({ op: "admin-revoked", at: Date.now(), name });
  }

  /** Admins with a valid token, by name. */
  listAdmins(): { name: string; addedAt: number }[] {
    return [...this.#admins]
      .map(([name, { addedAt }]) => ({ name, addedAt }))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  /** The fleet enrollment secret, created on first use. */
  async enrollmentSecret(): Promise<string> {
    if (this.#enrollmentSecret === undefined) await this.rotateEnrollmentSecret();
    return this.#enrollmentSecret as string;
  }

  /** Replaces the enrollment secret; enrolled devices keep their tokens. */
  async rotateEnrollmentSecret(): Promise<string> {
    const secret = newToken("secret");
    await this.#append({ op: "enrollment-secret-set", at: Date.now(), secret });
    return secret;
  }

  /** True when `secret` is the current enrollment secret. */
  checkEnrollmentSecret(secret: string): boolean {
    return this.#enrollmentSecret !== undefined && secretsEqual(secret, this.#enrollmentSecret);
  }

  /** The enrolled device with this ID, if any. */
  device(deviceId: string): DeviceRecord | undefined {
    const record = this.#devices.get(deviceId);
    if (record === undefined) return undefined;
    const { tokenHash: _hidden, ...device } = record;
    return device;
  }

  /** How many devices are enrolled. */
  deviceCount(): number {
    return this.#devices.size;
  }

  /** Enrolls (or re-enrolls, revoking the old token) a device; returns its new token. */
  async enrollDevice(device: Omit<DeviceRecord, "enrolledAt">): Promise<string> {
    const token = newToken("device");
    await this.#append({
      op: "device-enrolled",
      at: Date.now(),
      ...device,
      tokenHash: hashToken(token),
    });
    return token;
  }

  /**
   * True when enrolling `deviceId` would replace a device: one enrolled (revoked too), or removed
   * with its documents not yet purged (they are still its own).
   */
  isKnownDevice(deviceId: string): boolean {
    return this.#devices.has(deviceId) || this.#removed.has(deviceId);
  }

  /** A removed device whose documents are not purged yet. */
  removedDevice(deviceId: string): RemovedDeviceRecord | undefined {
    return this.#removed.get(deviceId);
  }

  /** Every enrolled device (revoked ones included), then every removed one, by ID. */
  listDevices(): (DeviceRecord | RemovedDeviceRecord)[] {
    const enrolled = [...this.#devices.keys()].map((id) => this.device(id) as DeviceRecord);
    const byId = (a: DeviceRecord, b: DeviceRecord) => (a.deviceId < b.deviceId ? -1 : 1);
    return [...enrolled.sort(byId), ...[...this.#removed.values()].sort(byId)];
  }

  /** Appends a device lifecycle line (revoke, remove, purge; see DeviceLifecycle). */
  async recordDeviceChange(entry: Extract<DeviceEntry, { op: `device-${string}` }>): Promise<void> {
    await this.#append(entry);
  }

  async #append(entry: PrincipalEntry): Promise<void> {
    if (this.#journal === undefined) throw new Error("principal store is not open");
    await this.#journal.append(entry);
  }

  #apply(entry: PrincipalEntry): void {
    switch (entry.op) {
      case "relay-initialized":
        this.#identity ??= { relayId: entry.relayId, fleetDocumentId: entry.fleetDocumentId };
        return;
      case "admin-added":
        this.#admins.set(entry.name, { tokenHash: entry.tokenHash, addedAt: entry.at });
        this.#byTokenHash.set(entry.tokenHash, { kind: "admin", name: entry.name });
        return;
      case "admin-revoked": {
        const admin = this.#admins.get(entry.name);
        if (admin === undefined) return;
        this.#admins.delete(entry.name);
        this.#revoke(admin.tokenHash);
        return;
      }
      case "enrollment-secret-set":
        this.#enrollmentSecret = entry.secret;
        return;
      case "device-enrolled": {
        const previous = this.#devices.get(entry.deviceId);
        const { op: _op, at, ...device } = entry;
        this.#devices.set(entry.deviceId, {
          ...device,
          deviceId: entry.deviceId as DeviceId,
          enrolledAt: at,
        });
        this.#byTokenHash.set(entry.tokenHash, {
          kind: "device",
          deviceId: entry.deviceId as DeviceId,
        });
        if (previous !== undefined && previous.tokenHash !== entry.tokenHash)
          this.#revoke(previous.tokenHash);
        this.#removed.delete(entry.deviceId);
        return;
      }
      case "device-revoked":
      case "device-removed":
      case "device-purged":
        this.#applyDeviceChange(entry);
        return;
      case "enrollment-token-created":
      case "enrollment-token-used":
      case "enrollment-token-revoked":
        this.enrollmentTokens.apply(entry);
        return;
      case "root-key-set":
      case "trust-doc-created":
      case "admin-key-registered":
      case "admin-key-certified":
      case "admin-key-revoked":
        this.adminKeys.apply(entry);
        return;
      default:
        this.pendingEnrollments.apply(entry);
    }
  }

  #applyDeviceChange(entry: Extract<DeviceEntry, { op: `device-${string}` }>): void {
    const record = this.#devices.get(entry.deviceId);
    if (entry.op === "device-purged") this.#removed.delete(entry.deviceId);
    else if (record !== undefined) {
      if (entry.op === "device-revoked") record.revokedAt ??= entry.at;
      else {
        this.#devices.delete(entry.deviceId);
        const { tokenHash: _hidden, ...device } = record;
        this.#removed.set(entry.deviceId, { ...device, removedAt: entry.at });
      }
      this.#revoke(record.tokenHash);
      this.emit("device-changed", entry.deviceId as DeviceId);
    }
  }

  #revoke(tokenHash: string): void {
    const principal = this.#byTokenHash.get(tokenHash);
    this.#byTokenHash.delete(tokenHash);
    if (principal !== undefined) this.emit("token-revoked", tokenHash, principal);
  }
}
