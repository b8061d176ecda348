/**
 * Vitest setup for the dashboard's component and primitive tests (jsdom): Automerge's wasm, as
 * the app loads it in main.tsx, an in-memory IndexedDB, and Testing Library's async helpers
 * (`findBy*`, its `waitFor`) given the same generous wait as `eventually`, not their 1 s default.
 */
import "fake-indexeddb/auto";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { initializeWasm } from "@automerge/automerge/slim";
import { EVENTUALLY_TIMEOUT_MS } from "@outpost/shared-model/testing";
import { configure } from "@solidjs/testing-library";

configure({ asyncUtilTimeout: EVENTUALLY_TIMEOUT_MS });

const wasmPath = createRequire(import.meta.url).resolve("@automerge/automerge/automerge.wasm");
await initializeWasm(await readFile(wasmPath));
