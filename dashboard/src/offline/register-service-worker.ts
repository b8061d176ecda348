/**
 * Registers the service worker that keeps the app shell (built apps only: the dev server has
 * none). A browser without service workers still runs the app, online only.
 */

import { messageOf } from "@outpost/shared-model";
import { makeLogger } from "../ui/logger.js";

const log = makeLogger("offline");
export async function registerServiceWorker(): Promise<void> {
  if (!import.meta.env.PROD || !("serviceWorker" in navigator)) return;
  try {
    await navigator.serviceWorker.register("/service-worker.js", { type: "module", scope: "/" });
  } catch (error) {
    log.warn(`the app will not open offline: ${messageOf(error)}`);
  }
}
