import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { fileURLToPath } from "node:url";

/** The archive `npm run build -w agent` writes in this checkout (agent/scripts/build-bundle.ts). */
export const CHECKOUT_AGENT_BUNDLE = fileURLToPath(
  new URL("../../../agent/dist/outpost-agent.tar.gz", import.meta.url),
);

/** The install scripts the relay serves (`GET /v1/agent/install.sh`, `install.ps1`). */
export const INSTALL_SCRIPTS_DIRECTORY = fileURLToPath(
  new URL("../../../agent/scripts/install/", import.meta.url),
);

/** The agent archive as the relay serves it: its size and SHA-256 (hex). */
export interface AgentBundleFile {
  path: string;
  size: number;
  sha256: string;
}

/**
 * The agent archive served at `GET /v1/agent/bundle`, with its SHA-256 in a header for the install
 * script to check. The hash is computed once per version of the file (its size and modification
 * time), so serving it costs a read, and a rebuilt agent is picked up without a restart.
 */
export class AgentBundle {
  readonly path: string;
  #cached: (AgentBundleFile & { mtimeMs: number }) | undefined;

  constructor(path: string) {
    this.path = path;
  }

  /** The file, or `undefined` when it has not been built (or configured) here. */
  async describe(): Promise<AgentBundleFile | undefined> {
    const found = await stat(this.path).catch(() => undefined);
    if (found === undefined || !found.isFile()) return undefined;
    const cached = this.#cached;
    if (cached?.mtimeMs === found.mtimeMs && cached.size === found.size) return cached;
    const hash = createHash("sha256");
    for await (const chunk of createReadStream(this.path)) hash.update(chunk as Buffer);
    this.#cached = {
      path: this.path,
      size: found.size,
      sha256: hash.digest("hex"),
      mtimeMs: found.mtimeMs,
    };
    return this.#cached;
  }
}
