import type {
  DeviceId,
  DeviceListing,
  Logger,
  PendingEnrollmentSummary,
} from "@outpost/shared-model";
import { isDeviceId, UsageError } from "@outpost/shared-model";
import { DeviceLifecycle } from "../state/device-lifecycle.js";
import { purgeDevice } from "../state/device-purge.js";
import { OwnershipStore } from "../state/ownership-store.js";
import { PrincipalStore } from "../state/principal-store.js";
import { cliActor } from "./cli-actor.js";
import { type CommonFlags, dataDirectoryOf, makeCliLogger } from "./common.js";

/** Flags of `device …`. */
export interface DeviceFlags extends CommonFlags {
  json?: boolean;
  all?: boolean;
}

const USAGE =
  "device needs list, revoke ID, remove ID, purge ID, pending, approve REQUEST_ID or deny REQUEST_ID";

/**
 * `device list | revoke ID | remove ID | purge ID | pending | approve REQUEST_ID | deny REQUEST_ID`
 * (docs/OPERATIONS.md, "Devices"). All but `purge` work whether or not a relay runs on the data
 * folder: they append to `principals.jsonl`, which a running relay follows within a second.
 */
export async function runDeviceCommand(args: string[], flags: DeviceFlags): Promise<void> {
  const [action, target, ...extra] = args;
  if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(" ")}`);
  const logger = makeCliLogger(flags);
  const dataDirectory = await dataDirectoryOf(flags);
  if (action === "purge") {
    const { documents } = await purgeDevice(dataDirectory, deviceIdOf(action, target), logger);
    process.stderr.write(
      `device ${target}: ${documents} documents deleted from ${dataDirectory}; its ID is free again.\n`,
    );
    return;
  }
  const lifecycle = await openLifecycle(dataDirectory, logger);
  if (action === "list" && target === undefined) return print(lifecycle.list(), flags, deviceLine);
  if (action === "pending" && target === undefined) {
    const requests = lifecycle.pendingRequests({ all: flags.all === true });
    if (requests.length === 0 && flags.json !== true)
      process.stderr.write("no re-enrollment requests waiting for an admin.\n");
    return print(requests, flags, requestLines);
  }
  if (action === "revoke" || action === "remove") {
    const device = await (action === "revoke" ? lifecycle.revoke : lifecycle.remove).call(
      lifecycle,
      deviceIdOf(action, target),
      cliActor(),
    );
    process.stderr.write(
      action === "revoke"
        ? `device ${device.deviceId} revoked; a running relay closes its connections within a second and marks it in the fleet.\n`
        : `device ${device.deviceId} removed from the fleet; its documents (${device.ownedDocuments}) stay on disk until: outpost-relay device purge ${device.deviceId} (with the relay stopped).\n`,
    );
    return;
  }
  if ((action === "approve" || action === "deny") && target !== undefined) {
    if (!/^[0-9a-f]{12}$/.test(target))
      throw new UsageError(
        `device ${action}: expected a REQUEST_ID of 12 hex digits, received ${JSON.stringify(target)}`,
      );
    const decided = await lifecycle.decide(
      target,
      action === "approve" ? "approved" : "denied",
      cliActor(),
    );
    process.stderr.write(
      action === "approve"
        ? `re-enrollment of device ${decided.deviceId} approved; the requester collects its token on its next attempt.\n`
        : `re-enrollment of device ${decided.deviceId} denied.\n`,
    );
    return;
  }
  throw new UsageError(USAGE);
}

async function openLifecycle(dataDirectory: string, logger: Logger): Promise<DeviceLifecycle> {
  const principals = await PrincipalStore.open(dataDirectory, logger);
  const ownership = await OwnershipStore.open(dataDirectory, logger);
  return new DeviceLifecycle(principals, ownership);
}

function deviceIdOf(action: string, target: string | undefined): DeviceId {
  if (!isDeviceId(target)) {
    throw new UsageError(
      `device ${action}: expected a device ID (1-64 of [A-Za-z0-9._-]), received ${JSON.stringify(target ?? "")}`,
    );
  }
  return target;
}

function print<T>(items: T[], flags: DeviceFlags, lines: (item: T) => string): void {
  if (flags.json === true) process.stdout.write(`${JSON.stringify(items, null, 2)}\n`);
  else for (const item of items) process.stdout.write(`${lines(item)}\n`);
}

const iso = (at: number | undefined) => (at === undefined ? "-" : new Date(at).toISOString());

function deviceLine(device: DeviceListing): string {
  const since =
    device.status === "revoked"
      ? ` since ${iso(device.revokedAt)}`
      : device.status === "removed"
        ? ` since ${iso(device.removedAt)}`
        : "";
  return [
    device.deviceId,
    `${device.status}${since}`,
    device.hostname,
    `enrolled ${iso(device.enrolledAt)}`,
    `${device.ownedDocuments} documents`,
  ].join("\t");
}

function requestLines(request: PendingEnrollmentSummary): string {
  const lines = [
    `${request.requestId}\tdevice ${request.deviceId}\t${request.status}${request.decidedBy ? ` by ${request.decidedBy}` : ""}`,
    `  asked ${iso(request.requestedAt)} from ${request.remoteAddress} as ${request.hostname}`,
    `  new DeviceDoc ${request.deviceDocUrl}`,
  ];
  const current = request.current;
  if (current === undefined) lines.push("  replaces nothing: the device was purged");
  else {
    lines.push(
      `  replaces ${current.hostname} (${current.status}, enrolled ${iso(current.enrolledAt)}, DeviceDoc ${current.deviceDocUrl}), connected when asked: ${current.connectedAtRequest ? "yes" : "no"}`,
    );
  }
  return lines.join("\n");
}
