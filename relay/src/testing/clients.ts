/**
 * Test support: raw websocket and HTTP clients that show exactly what the relay answered, and an
 * enrolled device as a real automerge-repo peer.
 */
import type { DocHandle, PeerId } from "@automerge/automerge-repo";
import { Repo } from "@automerge/automerge-repo";
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket";
import type { DeviceDoc, DeviceId, EnrollResponse, RelayErrorBody } from "@outpost/shared-model";
import { createDeviceDoc, parseDeviceId, peerIdFor } from "@outpost/shared-model";
import { eventually } from "@outpost/shared-model/testing";
import WebSocket from "ws";
import type { Relay } from "../relay.js";

/** What the relay did with a websocket attempt: refused it over HTTP, or opened it. */
export type UpgradeOutcome =
  | { kind: "refused"; status: number; body: RelayErrorBody }
  | { kind: "open"; socket: WebSocket };

/** Opens a raw websocket and reports the HTTP refusal or the open socket. */
export function openRawSocket(url: string): Promise<UpgradeOutcome> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.once("open", () => resolve({ kind: "open", socket }));
    socket.once("unexpected-response", (_request, response) => {
      let text = "";
      response.on("data", (chunk: Buffer) => {
        text += chunk.toString("utf8");
      });
      response.on("end", () =>
        resolve({
          kind: "refused",
          status: response.statusCode ?? 0,
          body: JSON.parse(text) as RelayErrorBody,
        }),
      );
    });
    socket.once("error", reject);
  });
}

/** Resolves with the close code and reason the relay gave. */
export function closeOf(socket: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => {
    socket.once("close", (code, reason) => resolve({ code, reason: reason.toString("utf8") }));
  });
}

/** POSTs an enrollment and returns the status with the parsed body. */
export async function postEnroll(
  relay: Relay,
  body: unknown,
): Promise<{ status: number; body: EnrollResponse & RelayErrorBody }> {
  const response = await fetch(`${relay.url}/v1/enroll`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    body: (await response.json()) as EnrollResponse & RelayErrorBody,
  };
}

/** A device as the agent will be: its DeviceDoc made offline, then enrolled, then connected. */
export interface TestDevice {
  deviceId: DeviceId;
  repo: Repo;
  deviceDoc: DocHandle<DeviceDoc>;
  token: string;
}

/** Creates a device's DeviceDoc locally, enrolls it with the relay, and connects it. */
export async function enrollDevice(relay: Relay, name: string): Promise<TestDevice> {
  const deviceId = parseDeviceId(name);
  const repo = new Repo({
    network: [],
    peerId: peerIdFor({ kind: "device", deviceId }, "agent") as PeerId,
    shareConfig: { announce: async () => true, access: async () => true },
  });
  const deviceDoc = repo.create<DeviceDoc>(createDeviceDoc(deviceId));
  const enrollment = await postEnroll(relay, {
    enrollmentSecret: await relay.principals.enrollmentSecret(),
    deviceId,
    hostname: `${name}.example`,
    deviceDocUrl: deviceDoc.url,
  });
  if (enrollment.status !== 200)
    throw new Error(`enrollment of ${name} failed: ${JSON.stringify(enrollment.body)}`);
  const token = enrollment.body.deviceToken;
  repo.networkSubsystem.addNetworkAdapter(
    new WebSocketClientAdapter(`${relay.syncUrl}?token=${token}`, 200),
  );
  // The stock client adapter throws if shut down while its socket is still connecting, and a test
  // that asks the relay for a document must be connected first (see connectedTo).
  await connectedTo(repo, relay.peerId);
  return { deviceId, repo, deviceDoc, token };
}

/**
 * Waits until `repo` has the relay with peer ID `relayPeerId` as a connected peer.
 *
 * The stock websocket client reports itself ready after one second whether or not it has
 * connected, and a `find` made while it is not connected fails as unavailable without asking
 * anyone. A loaded machine can take longer than that second to connect, so a test that asks the
 * relay for a document waits here first.
 */
export async function connectedTo(
  repo: Repo,
  relayPeerId: string,
  timeoutMs = 20_000,
): Promise<void> {
  await eventually(
    () => repo.peers.includes(relayPeerId as PeerId),
    `a connection to the relay ${relayPeerId}`,
    timeoutMs,
  );
}
