import type { Logger } from "@outpost/shared-model";
import type { RelayMetrics } from "../metrics/relay-metrics.js";
import {
  AgentBundle,
  CHECKOUT_AGENT_BUNDLE,
  INSTALL_SCRIPTS_DIRECTORY,
} from "../onboarding/agent-bundle.js";
import { DeviceLifecycle } from "../state/device-lifecycle.js";
import type { OwnershipStore } from "../state/ownership-store.js";
import type { PrincipalStore } from "../state/principal-store.js";
import type { RelaySync } from "../sync/relay-sync.js";
import type { TrustedProxies } from "./client-address.js";
import type { DeviceRouteDependencies } from "./device-routes.js";
import { EnrollmentGate } from "./enrollment-gate.js";
import { relayUrlFor } from "./public-url.js";

/** The device side of the relay's HTTP, as {@link deviceAdministration} assembles it. */
export interface DeviceAdministration {
  /** Who may enroll which device ID (for `POST /v1/enroll`). */
  gate: EnrollmentGate;
  /** The admin routes about devices, pending re-enrollments and enrollment tokens. */
  devices: DeviceRouteDependencies;
  /** What a new device downloads: install scripts and the agent archive. */
  agentInstall: { bundle: AgentBundle; scriptsDirectory: string };
}

/**
 * Assembles enrollment's gate, the admin routes about devices and the agent downloads from the
 * relay's state and sync side (docs/OPERATIONS.md, "Devices").
 */
export function deviceAdministration(options: {
  principals: PrincipalStore;
  ownership: OwnershipStore;
  sync: Pick<RelaySync, "adapter" | "fleetMarks">;
  trustedProxies: TrustedProxies;
  secure: boolean;
  /** The address devices reach the relay at, for install commands (else each request's Host). */
  publicUrl: string | undefined;
  /** The agent archive to serve (default: this checkout's agent/dist). */
  agentBundlePath: string | undefined;
  logger: Logger;
  metrics: RelayMetrics;
}): DeviceAdministration {
  const { principals, sync, metrics } = options;
  const connectedDevices = () => sync.adapter.connectedDeviceIds();
  return {
    gate: new EnrollmentGate({
      principals,
      connectedDevices,
      logger: options.logger.child({ component: "enroll" }),
      metrics,
    }),
    devices: {
      principals,
      lifecycle: new DeviceLifecycle(principals, options.ownership, connectedDevices),
      markFleet: (deviceId) => sync.fleetMarks.update(deviceId),
      relayUrlOf: (request) =>
        relayUrlFor(request, {
          publicUrl: options.publicUrl,
          secure: options.secure,
          trustedProxies: options.trustedProxies,
        }),
      metrics,
      logger: options.logger.child({ component: "devices" }),
    },
    agentInstall: {
      bundle: new AgentBundle(options.agentBundlePath ?? CHECKOUT_AGENT_BUNDLE),
      scriptsDirectory: INSTALL_SCRIPTS_DIRECTORY,
    },
  };
}
