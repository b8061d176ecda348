import { randomBytes } from "node:crypto";
import * as A from "@automerge/automerge";
import {
  createDeviceDoc,
  type DeviceDoc,
  type DeviceId,
  type DeviceSummary,
  summarizeDevice,
} from "@outpost/shared-model";

/** The admins who edit the synthetic fleet. */
export const ADMINS = ["admin:alice", "admin:bob"] as const;

/** One Automerge change of a device's history: when, by whom (`agent` or `admin:<name>`), what. */
export interface Write {
  at: number;
  writer: string;
  apply(draft: DeviceDoc): void;
}

/** A device as the relay will know it: identity and every change its DeviceDoc went through. */
export interface DeviceHistory {
  deviceId: DeviceId;
  hostname: string;
  /** In time order. */
  writes: Write[];
}

/**
 * The DeviceDoc a history leaves, saved: one Automerge change per write, each by its writer's
 * own actor (the agent's, or an admin's browser) and stamped with its time, as the replicas
 * that made them would have. The binary holds the whole history, as the relay would store it;
 * the heads are the hex hashes of its last changes.
 */
export function saveDeviceDocument(history: DeviceHistory): {
  binary: Uint8Array;
  heads: string[];
  /** What the relay writes into the summary shards for it ({@link summarizeDevice}). */
  summary: DeviceSummary;
} {
  const actors = new Map<string, string>();
  const actorOf = (writer: string) => {
    let actor = actors.get(writer);
    if (actor === undefined) {
      actor = randomBytes(16).toString("hex");
      actors.set(writer, actor);
    }
    return actor;
  };
  let writer = "agent";
  let doc = A.from(createDeviceDoc(history.deviceId), { actor: actorOf(writer) });
  for (const write of history.writes) {
    if (write.writer !== writer) {
      writer = write.writer;
      doc = A.clone(doc, { actor: actorOf(writer) });
    }
    doc = A.change(doc, { time: Math.floor(write.at / 1000) }, (draft) => write.apply(draft));
  }
  return { binary: A.save(doc), heads: A.getHeads(doc), summary: summarizeDevice(doc) };
}
