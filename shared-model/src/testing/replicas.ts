/**
 * Test support: real Automerge replicas of one DeviceDoc.
 */
import * as A from "@automerge/automerge";
import type { Actor } from "../actors/actor.js";
import { createDeviceDoc } from "../documents/create.js";
import type { DeviceDoc } from "../documents/device-doc.js";
import { parseDeviceId } from "../ids/ids.js";

/** A device ID for tests. */
export const TEST_DEVICE = parseDeviceId("laptop-042");
/** 2026-11-21T10:00:00Z: a fixed "now" for scenarios. */
export const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);

/** The agent and two admins as principals, at a given time. */
export const agentAt = (at: number): Actor => ({ by: `agent:${TEST_DEVICE}`, at });
export const aliceAt = (at: number): Actor => ({ by: "admin:alice", at });
export const bobAt = (at: number): Actor => ({ by: "admin:bob", at });

/** A fresh DeviceDoc with a fixed actor ID so runs replay identically. */
export function newDeviceReplica(actorHex = "aa"): A.Doc<DeviceDoc> {
  return A.from(createDeviceDoc(TEST_DEVICE), { actor: actorHex.padEnd(32, "0") });
}

/** A replica of `doc` with its own actor, as another peer that synced once would have. */
export function forkReplica(doc: A.Doc<DeviceDoc>, actorHex: string): A.Doc<DeviceDoc> {
  return A.clone(doc, { actor: actorHex.padEnd(32, "0") });
}

/** Two-way sync: both replicas end up with each other's changes. */
export function syncPair(
  a: A.Doc<DeviceDoc>,
  b: A.Doc<DeviceDoc>,
): [A.Doc<DeviceDoc>, A.Doc<DeviceDoc>] {
  const mergedA = A.merge(a, b);
  return [mergedA, A.merge(b, mergedA)];
}
