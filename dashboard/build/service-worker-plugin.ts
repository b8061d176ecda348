import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import type { Plugin } from "vite";

/** Where the worker is served; its scope is the whole app. */
export const SERVICE_WORKER_FILE = "service-worker.js";
/** The string in the worker's source that the build replaces with its precache list. */
const PLACEHOLDER = "__OUTPOST_PRECACHE__";
const SOURCE = fileURLToPath(new URL("../src/offline/service-worker.ts", import.meta.url));

/**
 * Builds `src/offline/service-worker.ts` as `/service-worker.js` and writes into it the list of
 * every file of the build (the app shell: HTML, scripts, styles, Automerge's wasm) with a version
 * that changes whenever one of them does, so a new build replaces the cached shell as a whole.
 * A few lines here instead of Workbox: the worker needs one list, not a caching framework.
 */
export function serviceWorker(): Plugin {
  return {
    name: "outpost-service-worker",
    apply: "build",
    buildStart() {
      this.emitFile({ type: "chunk", id: SOURCE, fileName: SERVICE_WORKER_FILE });
    },
    generateBundle(_options, bundle) {
      const worker = bundle[SERVICE_WORKER_FILE];
      if (worker?.type !== "chunk") throw new Error(`the build has no ${SERVICE_WORKER_FILE}`);
      const files = Object.keys(bundle)
        .filter((name) => name !== SERVICE_WORKER_FILE && !name.endsWith(".map"))
        .sort();
      const version = createHash("sha256");
      for (const name of files) {
        const output = bundle[name];
        version.update(name);
        if (output?.type === "asset") version.update(output.source);
        if (output?.type === "chunk") version.update(output.code);
      }
      const precache = { version: version.digest("hex").slice(0, 16), files };
      // The minifier may pick any quotes for the string literal.
      const literal = new RegExp(`(["'\`])${PLACEHOLDER}\\1`);
      if (!literal.test(worker.code)) {
        throw new Error(
          `${SERVICE_WORKER_FILE} lost its ${PLACEHOLDER} placeholder:\n${worker.code.slice(0, 400)}`,
        );
      }
      worker.code = worker.code.replace(literal, () => JSON.stringify(JSON.stringify(precache)));
    },
  };
}
