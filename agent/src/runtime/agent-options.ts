import type { BackoffPolicy, DeviceId, FleetTrust, Logger } from "@outpost/shared-model";
import type { Collector } from "../collectors/collector.js";
import type { SystemInfo } from "../collectors/system-info.js";
import type { AgentCommandOptions } from "../commands/engine/agent-commands.js";
import type { SoftwareSources } from "../inventory/software.js";
import type { Clock } from "./clock.js";

/** What `Agent.start` needs; everything but the settings can be swapped in tests. */
export interface AgentOptions {
  dataDirectory: string;
  relayUrl: string;
  enrollmentSecret: string | undefined;
  /** A one-time enrollment token an admin made; tried instead of the secret. */
  enrollmentToken?: string;
  /** The device ID a new data folder takes (the one an admin's token was made for). */
  deviceId?: DeviceId;
  /** Sampling interval until an admin sets one in the device policy. */
  sampleIntervalS: number;
  /** Local retention until an admin sets one in the device policy. */
  retainDays: number;
  diskBudgetBytes: number;
  logger: Logger;
  /** The collectors to run, from `collectors/all.ts` (the core never imports plugins). */
  collectors: readonly Collector[];
  clock?: Clock;
  system?: SystemInfo;
  software?: SoftwareSources;
  backoff?: BackoffPolicy;
  hostname?: string;
  presenceIntervalMs?: number;
  /** The command engine's plugins and access to the system; without it no command runs. */
  commands?: AgentCommandOptions;
  /**
   * The fleet's root to trust admins' signatures by, for tests; otherwise the agent pins the root
   * its enrollment answer names (docs/ARCHITECTURE.md, "Trust").
   */
  trust?: FleetTrust;
  /** `root_key_fingerprint` from the config: the only root enrollment may pin. */
  rootKeyFingerprint?: string;
}
