/**
 * A relay on loopback, attacked with raw TCP sockets. Slowloris sockets that
 * never finish their headers are closed by the relay (with a short headers timeout, so the test is
 * quick); past `max_connections` new sockets are dropped while connected clients keep syncing.
 * Both are counted in /metrics.
 */
import { connect, type Socket } from "node:net";
import type { AutomergeUrl } from "@automerge/automerge-repo";
import { Cleanup, eventually } from "@outpost/shared-model/testing";
import { afterEach, describe, expect, it } from "vitest";
import { connectedTo } from "../testing/clients.js";
import { RawPeer } from "../testing/raw-peer.js";
import { startTestRelay } from "../testing/relay-fixture.js";
import { fetchHealth, fetchMetrics, metricValue, rejectionCount } from "../testing/relay-http.js";

const cleanup = new Cleanup();
afterEach(() => cleanup.release());

const ADMIN = { kind: "admin", name: "alice" } as const;

/** A raw socket that sends `bytes` and then nothing more; `closed` resolves when the relay closes it. */
function slowClient(port: number, bytes: string): { socket: Socket; closed: Promise<string> } {
  const socket = connect(port, "127.0.0.1");
  let answer = "";
  socket.on("data", (chunk: Buffer) => {
    answer += chunk.toString("latin1");
  });
  socket.on("error", () => {});
  socket.on("connect", () => {
    if (bytes !== "") socket.write(bytes);
  });
  const closed = new Promise<string>((resolve) => socket.once("close", () => resolve(answer)));
  cleanup.add(socket, (open) => open.destroy());
  return { socket, closed };
}

/** A metrics read that survives the relay closing an idle keep-alive socket under it. */
async function rejections(relayUrl: string, reason: string): Promise<number> {
  return rejectionCount(relayUrl, reason).catch(() => -1);
}

describe("the relay's HTTP server", () => {
  it("closes sockets that never finish their request headers", async () => {
    const fixture = await startTestRelay({
      limits: { headersTimeoutMs: 300, requestTimeoutMs: 1_000 },
    });
    cleanup.add(fixture, (relay) => relay.close());
    const port = Number(new URL(fixture.relay.url).port);
    const partial = [
      "", // connects and says nothing
      "GET /healthz HTTP/1.1\r\nHost: relay\r\n", // headers never ended
      `GET /sync?token=${fixture.adminToken} HTTP/1.1\r\nHost: relay\r\nUpgrade: websocket\r\n`,
    ];
    const clients = Array.from({ length: 60 }, (_, index) =>
      slowClient(port, partial[index % partial.length] ?? ""),
    );
    let closedCount = 0;
    for (const client of clients) void client.closed.then(() => closedCount++);

    await eventually(
      () => closedCount === clients.length,
      `the relay closing all ${clients.length} slow sockets`,
      30_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}: ${closedCount} closed`);
    });
    const answers = await Promise.all(clients.map((client) => client.closed));
    expect(answers.every((answer) => answer.startsWith("HTTP/1.1 408 "))).toBe(true);
    expect((await fetchHealth(fixture.relay.url)).status).toBe("ok");
    await eventually(
      async () => (await rejections(fixture.relay.url, "request-timeout")) >= clients.length,
      "request-timeout counted for every slow socket",
      10_000,
    );
  });

  it("drops connections past max_connections while connected clients keep syncing", async () => {
    const maxConnections = 4;
    const fixture = await startTestRelay({
      limits: { maxConnections, maxConnectionsPerToken: 32 },
      // The filler sockets below never join; they must outlive the test, not the join timeout.
      joinTimeoutMs: 120_000,
    });
    cleanup.add(fixture, (relay) => relay.close());
    const writer = fixture.connect(ADMIN, fixture.adminToken);
    const reader = fixture.connect(ADMIN, fixture.adminToken);
    await connectedTo(writer, fixture.relay.peerId);
    await connectedTo(reader, fixture.relay.peerId);

    // Fill the relay: every socket it accepts answers the upgrade; the first it drops fails.
    const fillers: RawPeer[] = [];
    let refusal: Error | undefined;
    for (let attempt = 0; attempt < 3 * maxConnections && refusal === undefined; attempt++) {
      try {
        fillers.push(
          cleanup.add(await RawPeer.open(fixture.relay.syncUrl, fixture.adminToken), (peer) =>
            peer.close(),
          ),
        );
      } catch (error) {
        refusal = error as Error;
      }
    }
    expect(
      refusal,
      `the relay accepted ${fillers.length + 2} connections, its cap is ${maxConnections}`,
    ).toBeDefined();
    // Dropped as TCP, before any HTTP: not an upgrade answered with a status.
    expect(refusal?.message).not.toMatch(/upgrade refused/);
    expect(fillers.length + 2).toBe(maxConnections);
    const further = await Promise.allSettled(
      [1, 2, 3].map(() => RawPeer.open(fixture.relay.syncUrl, fixture.adminToken)),
    );
    expect(further.map((outcome) => outcome.status)).toEqual(["rejected", "rejected", "rejected"]);

    // Full, the relay still syncs the clients it holds.
    const written = writer.create<{ note: string }>({ note: "while full" });
    const seen = await reader.find<{ note: string }>(written.url as AutomergeUrl);
    expect(seen.doc().note).toBe("while full");

    for (const filler of fillers.splice(0)) await filler.close();
    await eventually(
      async () => (await rejections(fixture.relay.url, "connection-limit")) >= 4,
      "connection-limit counted for each dropped socket",
      10_000,
    );
    const metrics = await fetchMetrics(fixture.relay.url);
    expect(metricValue(metrics, "outpost_relay_tcp_connections")).toBeGreaterThanOrEqual(2);
  });
});
