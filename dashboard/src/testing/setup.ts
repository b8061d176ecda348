/**
 * Vitest setup for the dashboard's component and primitive tests (jsdom): Automerge's wasm, as
 * the app loads it in main.tsx, and an in-memory IndexedDB.
 */
import "fake-indexeddb/auto";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { initializeWasm } from "@automerge/automerge/slim";

const wasmPath = createRequire(import.meta.url).resolve("@automerge/automerge/automerge.wasm");
await initializeWasm(await readFile(wasmPath));
