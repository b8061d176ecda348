import {
  type CommandArgValue,
  type DeviceId,
  type EnqueueInput,
  enqueueCommand,
  type FactInput,
  newCommandId,
  recordFact,
  requestCancel,
} from "@outpost/shared-model";
import { ADMINS, type Write } from "./device-history.js";
import { type Draw, integer, pick } from "./synthetic-inventory.js";

const MINUTE_MS = 60_000;
const CLEANUP_SHA256 = "9f2c5e0d4b7a1c3e8f6a2d4b9c0e1f3a5b7d9e1c2a4f6b8d0e2c4a6f8b1d3e5f";

const KINDS: readonly {
  kind: string;
  args: Record<string, CommandArgValue>;
  window?: "maintenance";
}[] = [
  { kind: "inventory.collect", args: {} },
  { kind: "script.run", args: { name: "cleanup.sh", sha256: CLEANUP_SHA256 } },
  { kind: "service.restart", args: { name: "cups" } },
  { kind: "system.reboot", args: {}, window: "maintenance" },
];

/** How a drawn command ended, or that it still waits (for the window, or for the agent). */
type Outcome = "succeeded" | "failed" | "waiting" | "cancelled";

/**
 * Zero to five commands an admin enqueued on the device, each with what the agent recorded,
 * one change per agent evaluation (accepted and deferred together; started; the outcome). A
 * command enqueued after the device was last seen has no facts yet.
 */
export function drawCommandWrites(
  random: Draw,
  device: { from: number; lastSeen: number; now: number; deviceId: DeviceId },
): Write[] {
  const writes: Write[] = [];
  const agent = { by: `agent:${device.deviceId}` };
  for (let count = pick(random, [0, 0, 1, 1, 2, 3, 5]); count > 0; count -= 1) {
    const admin = pick(random, ADMINS);
    const createdAt = Math.round(device.from + random() * (device.now - device.from));
    const template = pick(random, KINDS);
    const id = newCommandId();
    const input: EnqueueInput = {
      id,
      kind: template.kind,
      args: template.args,
      priority: integer(random, 3, 7),
      ...(template.window ? { window: template.window } : {}),
      ...(random() < 0.5 ? { retry: { maxAttempts: 1 } } : {}),
    };
    writes.push({
      at: createdAt,
      writer: admin,
      apply: (draft) => {
        enqueueCommand(draft, input, { by: admin, at: createdAt });
      },
    });
    const seenAt = createdAt + integer(random, 1, 240) * MINUTE_MS;
    if (seenAt > device.lastSeen || seenAt > device.now) continue;
    const fact = (at: number, ...facts: FactInput[]): Write => ({
      at,
      writer: "agent",
      apply: (draft) => {
        for (const each of facts) recordFact(draft, id, each, { ...agent, at });
      },
    });
    const outcome = pick<Outcome>(random, [
      "succeeded",
      "succeeded",
      "succeeded",
      "succeeded",
      "failed",
      "waiting",
      "waiting",
      "cancelled",
    ]);
    if (outcome === "waiting") {
      writes.push(
        fact(seenAt, { type: "accepted" }, { type: "deferred", reason: "maintenance-window" }),
      );
    } else if (outcome === "cancelled") {
      const askedAt = createdAt + 1_000;
      writes.push({
        at: askedAt,
        writer: admin,
        apply: (draft) => {
          requestCancel(draft, id, { by: admin, at: askedAt }, "wrong device");
        },
      });
      writes.push(fact(seenAt, { type: "cancelled" }));
    } else {
      const durationMs = integer(random, 200, 90_000);
      const exitCode = outcome === "succeeded" ? 0 : 1;
      writes.push(fact(seenAt, { type: "accepted" }, { type: "started", attempt: 1 }));
      writes.push(
        fact(seenAt + durationMs, {
          type: outcome,
          outcome: {
            exitCode,
            durationMs,
            stdout: exitCode === 0 ? "done\n" : "",
            ...(exitCode === 0 ? {} : { stderr: "cleanup.sh: /var/tmp: Permission denied\n" }),
          },
        }),
      );
    }
  }
  return writes;
}
