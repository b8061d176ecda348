/**
 * The relay's admin HTTP answers about devices (admin token; docs/OPERATIONS.md, "Devices"):
 * `GET /v1/devices`, `GET /v1/pending-enrollments`, `GET` and `POST /v1/enrollment-tokens`.
 * Shared by the relay, its CLI's JSON output and the dashboard (which reads them through the
 * schemas in device-admin-schemas.ts).
 */

/** Where a device stands: may connect, refused, or gone from the fleet (documents still on disk). */
export type DeviceStatus = "active" | "revoked" | "removed";

/** One device as `GET /v1/devices` lists it. */
export interface DeviceListing {
  deviceId: string;
  hostname: string;
  /** `automerge:` URL of its DeviceDoc. */
  deviceDocUrl: string;
  status: DeviceStatus;
  /** Epoch milliseconds of its latest enrollment. */
  enrolledAt: number;
  revokedAt?: number;
  removedAt?: number;
  /** True while it holds a sync connection (only the running relay knows; the CLI leaves it out). */
  connected?: boolean;
  /** Documents it owns on the relay: its DeviceDocs and days of telemetry. */
  ownedDocuments: number;
}

/** A re-enrollment request's state; `expired` after seven days without being collected. */
export type PendingEnrollmentStatus = "pending" | "approved" | "denied" | "collected" | "expired";

/** A re-enrollment of a known device ID with the shared secret, as an admin decides on it. */
export interface PendingEnrollmentSummary {
  requestId: string;
  deviceId: string;
  /** The hostname the requester gave. */
  hostname: string;
  /** The DeviceDoc the requester would sync (a reinstalled agent makes a new one). */
  deviceDocUrl: string;
  /** The client address the request came from (behind a trusted proxy, the client's). */
  remoteAddress: string;
  requestedAt: number;
  status: PendingEnrollmentStatus;
  decidedAt?: number;
  /** Who approved or denied it: `admin:NAME`, or `cli:USER` for the relay's CLI. */
  decidedBy?: string;
  /** The device this request would replace, as the relay knows it; absent once purged. */
  current?: {
    hostname: string;
    deviceDocUrl: string;
    status: DeviceStatus;
    enrolledAt: number;
    /** Whether it held a sync connection when the request came. */
    connectedAtRequest: boolean;
    /** Whether it holds one now (only the running relay knows). */
    connectedNow?: boolean;
  };
}

/** The one-line install commands that carry a one-time token (docs/AGENT-INSTALL.md). */
export interface InstallCommands {
  /** Linux and macOS: `curl … | sudo sh -s -- …`. */
  shell: string;
  /** Windows PowerShell, as Administrator. */
  powershell: string;
}

/** `POST /v1/enrollment-tokens`: a one-time enrollment token, shown this once. */
export interface EnrollmentTokenIssued {
  /** The token's public ID (for `enroll-token list` and `revoke`); not the token. */
  tokenId: string;
  /** The token itself; the relay keeps only its hash. */
  token: string;
  /** The only device ID it enrolls (it may replace that device); absent: any new device ID. */
  deviceId?: string;
  expiresAt: number;
  /** The relay address the install commands carry. */
  relayUrl: string;
  /** The fleet's root key fingerprint the agent pins, `SHA256:…`; absent while the relay has none. */
  rootKeyFingerprint?: string;
  install: InstallCommands;
}

/** A one-time enrollment token as `GET /v1/enrollment-tokens` lists it (never the token itself). */
export interface EnrollmentTokenSummary {
  /** The token's public ID, the first 12 hex digits of its hash. */
  tokenId: string;
  /** The only device ID it enrolls; absent: any device ID the relay does not know. */
  deviceId?: string;
  createdAt: number;
  /** Who made it: `admin:NAME`, or `cli:USER` for the relay's CLI. */
  createdBy: string;
  expiresAt: number;
  /** When a device enrolled with it (a token enrolls once), and which. */
  usedAt?: number;
  usedBy?: string;
  revokedAt?: number;
}
