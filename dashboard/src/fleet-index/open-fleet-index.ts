import type { FleetIndexMessage, FleetIndexRequest } from "./fleet-index-messages.js";

/** The page's side of the fleet index worker. */
export interface FleetIndex {
  /** Reads (again) what the replica holds; the answers come to `onMessage`, in order. */
  read(): void;
  /** Stops the worker. */
  close(): void;
}

/**
 * Starts the fleet index worker (ARCHITECTURE.md, "The fleet index") for one replica; `undefined`
 * where there are no Web Workers (the component tests' DOM), and the fleet then reads the
 * FleetDoc and its shards through the replica's Repo, as it does whenever the index cannot.
 */
export function openFleetIndex(
  request: Omit<FleetIndexRequest, "type">,
  onMessage: (message: FleetIndexMessage) => void,
): FleetIndex | undefined {
  if (typeof Worker !== "function") return undefined;
  let worker: Worker;
  try {
    worker = new Worker(new URL("./fleet-index.worker.ts", import.meta.url), {
      type: "module",
      name: "outpost-fleet-index",
    });
  } catch {
    return undefined;
  }
  worker.addEventListener("message", (event: MessageEvent<FleetIndexMessage>) =>
    onMessage(event.data),
  );
  worker.addEventListener("error", (event) =>
    onMessage({ type: "failed", message: event.message || "the fleet index worker failed" }),
  );
  return {
    read: () => worker.postMessage({ type: "read", ...request } satisfies FleetIndexRequest),
    close: () => worker.terminate(),
  };
}
