/**
 * Every sync gets its durable acknowledgement (ARCHITECTURE.md, "Durable acknowledgement"), even
 * when the relay is slow to load the document.
 */

import { Cleanup } from "@outpost/shared-model/testing";
import { afterEach, describe, expect, it } from "vitest";
import { connectedTo } from "./testing/clients.js";
import { DurableAckLog } from "./testing/durable-ack-log.js";
import { startRelayProcess, TEST_ADMIN } from "./testing/relay-child.js";
import { connectClient } from "./testing/sync-client.js";

const cleanup = new Cleanup();
afterEach(() => cleanup.release());

describe("durable acknowledgement delivery", () => {
  // Regression: DurableAcks.#flushAndAck used to return without an ack when the document's handle
  // was not ready when its timer fired. The first sync of a new document makes the relay look for
  // it on disk first; if that outlasts `ackDelayMs` (a busy relay, a slow disk, a restart with
  // thousands of agents reconnecting; forced here with 1 ms) and the client has nothing more to
  // send, no ack came until the client synced again (0 of 10 first syncs acknowledged at 1 ms).
  it("the first sync of a new document is acknowledged even if loading outlasts ackDelayMs", {
    // Starting a relay child through tsx takes seconds on a loaded machine.
    timeout: 60_000,
  }, async () => {
    const dataDirectory = await cleanup.tempFolder("ack-delivery");
    const relay = cleanup.add(
      await startRelayProcess({ dataDirectory, port: 0, ackDelayMs: 1 }),
      (child) => child.stop(),
    );
    const client = cleanup.add(
      connectClient({
        syncUrl: relay.info.syncUrl,
        token: relay.info.adminToken ?? "",
        principal: { kind: "admin", name: TEST_ADMIN },
        session: "dashboard",
      }),
      ({ repo }) => repo.shutdown(),
    );
    const documents = Array.from({ length: 5 }, (_, index) => {
      const handle = client.repo.create({ index });
      return { handle, log: new DurableAckLog(handle, relay.info.peerId) };
    });
    // The documents' first sync starts once the client is connected; only from then on is an ack
    // owed. With the bug it never comes, so the wait after that only needs to be generous.
    await connectedTo(client.repo, relay.info.peerId);
    const acknowledged = await Promise.all(
      documents.map(({ handle, log }) =>
        log
          .waitFor(() => true, `of document ${handle.documentId}`, { timeoutMs: 15_000 })
          .then(
            () => true,
            () => false,
          ),
      ),
    );
    expect(acknowledged).toEqual(documents.map(() => true));
  });
});
