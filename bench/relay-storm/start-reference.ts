import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import type { IncomingByteMeter } from "./server-instrumentation.js";
import type { StartedServer } from "./server-process.js";

// The package's main file starts a server on import; its `Server` class lives next to it.
const SERVER_ENTRY = createRequire(import.meta.url).resolve(
  "@automerge/automerge-repo-sync-server",
);

interface ReferenceServerModule {
  Server: new () => { ready(): Promise<unknown> };
}

/** The `@automerge/automerge-repo` (1.x) the reference server runs on, as it resolves it. */
export function automergeRepoEntry(): string {
  return createRequire(SERVER_ENTRY).resolve("@automerge/automerge-repo");
}

/**
 * Starts `@automerge/automerge-repo-sync-server` exactly as its CLI does (`new Server()`), which
 * reads its port and data folder from `PORT` and `DATA_DIR`. Port 0 picks a free port; the
 * meter's `listen` wrapper binds it to loopback and tells which port it got.
 */
export async function start(
  dataDirectory: string,
  meter: IncomingByteMeter,
): Promise<StartedServer> {
  process.env.PORT = "0";
  process.env.DATA_DIR = dataDirectory;
  const module = (await import(
    pathToFileURL(join(dirname(SERVER_ENTRY), "server.js")).href
  )) as ReferenceServerModule;
  await new module.Server().ready();
  const port = await meter.port();
  return {
    address: { url: `http://127.0.0.1:${port}`, syncUrl: `ws://127.0.0.1:${port}` },
  };
}
