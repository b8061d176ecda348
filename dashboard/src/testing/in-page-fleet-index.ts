/**
 * Test support: the fleet index's reading run in the page rather than in a Web Worker (jsdom has
 * none), over the same IndexedDB (fake-indexeddb in tests). Never imported by product code.
 */

import { loadStoredDocument } from "../fleet-index/load-stored-document.js";
import type { FleetIndex, openFleetIndex } from "../fleet-index/open-fleet-index.js";
import { readFleetIndex } from "../fleet-index/read-fleet-index.js";

/** As {@link openFleetIndex}, with the worker's loop (one read at a time) in the page. */
export const openInPageFleetIndex: typeof openFleetIndex = (request, onMessage) => {
  let reading = Promise.resolve();
  let closed = false;
  const index: FleetIndex = {
    read() {
      reading = reading.then(() =>
        closed
          ? undefined
          : readFleetIndex(
              { type: "read", ...request },
              async (chunks) => loadStoredDocument(chunks),
              (message) => {
                if (!closed) onMessage(message);
              },
            ),
      );
    },
    close() {
      closed = true;
    },
  };
  return index;
};
