/**
 * The dashboard's entry point: loads Automerge's WebAssembly (from a URL the service worker
 * caches), registers the service worker, then mounts the app.
 */

import wasmUrl from "@automerge/automerge/automerge.wasm?url";
import { initializeWasm } from "@automerge/automerge/slim";
import { render } from "solid-js/web";
import { App } from "./app/App.js";
import { registerServiceWorker } from "./offline/register-service-worker.js";
import "./ui/styles.css";
import { messageOf } from "@outpost/shared-model";

const root = document.getElementById("app");
if (root === null) throw new Error("index.html has no #app element");
void registerServiceWorker();
try {
  await initializeWasm(wasmUrl);
  root.textContent = "";
  render(() => <App />, root);
} catch (error) {
  root.textContent = `Outpost could not start: ${messageOf(error)}`;
  throw error;
}
