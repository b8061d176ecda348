import { randomBytes } from "node:crypto";
import { type DeviceId, parseDeviceId } from "@outpost/shared-model";

/**
 * A new device ID: the hostname made safe (`[a-z0-9.-]`, at most 40 characters) and 6 random hex
 * digits, so a fleet of identically named images still gets distinct IDs, and an admin still
 * recognises the machine.
 */
export function newDeviceId(hostname: string): DeviceId {
  const slug = hostname
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, "-")
    .replace(/^[^a-z0-9]+/, "")
    .slice(0, 40)
    .replace(/[.-]+$/, "");
  return parseDeviceId(`${slug || "device"}-${randomBytes(3).toString("hex")}`);
}
