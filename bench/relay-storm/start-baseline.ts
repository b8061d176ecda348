import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { PeerId } from "@automerge/automerge-repo";
import { Repo } from "@automerge/automerge-repo";
import { WebSocketServerAdapter } from "@automerge/automerge-repo-network-websocket";
import { CrashSafeFileStorageAdapter } from "@outpost/shared-model/storage";
import { WebSocketServer } from "ws";
import type { StartedServer } from "./server-process.js";

export { automergeRepoEntry } from "./start-outpost.js";

/**
 * The baseline: the reference server's few lines (an automerge-repo `Repo` behind the stock
 * websocket server adapter, sharing nothing unasked) on the automerge-repo 2.5 and Automerge 3
 * our relay runs on, and on our relay's crash-safe storage. The reference package is pinned to
 * automerge-repo 1.x and Automerge 2, whose cost dwarfs everything our relay adds; against this
 * baseline, the difference is what the relay adds: authentication, access control, frame checks,
 * durable acks and idle unloading.
 */
export async function start(dataDirectory: string): Promise<StartedServer> {
  const storage = await CrashSafeFileStorageAdapter.create(join(dataDirectory, "documents"));
  const webSocketServer = new WebSocketServer({ noServer: true });
  new Repo({
    storage,
    // Same `ws` class; only the type declarations differ (the adapter's come through a CJS path).
    network: [
      new WebSocketServerAdapter(
        webSocketServer as unknown as ConstructorParameters<typeof WebSocketServerAdapter>[0],
      ),
    ],
    peerId: "baseline-server" as PeerId,
    shareConfig: { announce: async () => false, access: async () => true },
  });
  const server = createServer((_, response) => response.end("baseline sync server\n"));
  server.on("upgrade", (request, socket, head) => {
    webSocketServer.handleUpgrade(request, socket, head, (webSocket) => {
      webSocketServer.emit("connection", webSocket, request);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { address: { url: `http://127.0.0.1:${port}`, syncUrl: `ws://127.0.0.1:${port}` } };
}
