/**
 * The fleet index's Web Worker (ARCHITECTURE.md, "The fleet index"): reads the FleetDoc and its
 * summary shards from the replica's IndexedDB and posts them to the page as plain data, so the
 * page's main thread never loads these documents to draw the fleet. Automerge's WebAssembly is
 * compiled here only when a document is not in the cache.
 */
import wasmUrl from "@automerge/automerge/automerge.wasm?url";
import { initializeWasm } from "@automerge/automerge/slim";
import type { FleetIndexMessage, FleetIndexRequest } from "./fleet-index-messages.js";
import { INDEX_CACHE_FORMAT } from "./index-cache.js";
import { loadStoredDocument } from "./load-stored-document.js";
import { type LoadDocument, readFleetIndex } from "./read-fleet-index.js";

let wasm: Promise<void> | undefined;
const load: LoadDocument = async (chunks) => {
  wasm ??= initializeWasm(wasmUrl);
  await wasm;
  return loadStoredDocument(chunks);
};

const post = (message: FleetIndexMessage) => self.postMessage(message);
/** This script's path is hashed by the build: another build's records are read again. */
const format = `${INDEX_CACHE_FORMAT} ${self.location.pathname}`;
/** One read at a time; requests arriving meanwhile are one more read after it. */
let busy = false;
let next: FleetIndexRequest | undefined;

self.addEventListener("message", async (event: MessageEvent<FleetIndexRequest>) => {
  if (event.data?.type !== "read") return;
  next = event.data;
  if (busy) return;
  busy = true;
  while (next !== undefined) {
    const request = next;
    next = undefined;
    await readFleetIndex(request, load, post, format);
  }
  busy = false;
});
