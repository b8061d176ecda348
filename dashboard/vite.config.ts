/**
 * The dashboard's build: a static app in `dashboard/dist` that the relay serves, with a service
 * worker that keeps the app shell for offline use.
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";
import solid from "vite-plugin-solid";
import { serviceWorker } from "./build/service-worker-plugin.js";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  plugins: [solid(), serviceWorker()],
  resolve: {
    // Automerge's "slim" builds: the app loads the WebAssembly itself (src/main.tsx), from a URL
    // the service worker caches, instead of the bundler entry that needs a wasm-ESM plugin.
    alias: [
      { find: /^@automerge\/automerge$/, replacement: "@automerge/automerge/slim" },
      { find: /^@automerge\/automerge-repo$/, replacement: "@automerge/automerge-repo/slim" },
    ],
  },
  // The fleet index worker (src/fleet-index) is a module worker: ES output lets it share chunks.
  worker: { format: "es" },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: true,
    chunkSizeWarningLimit: 4096,
  },
});
