import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import type { AgentBundle } from "../onboarding/agent-bundle.js";
import { sendError } from "./responses.js";

/** The header that carries the agent archive's SHA-256 (hex), which the install scripts check. */
export const BUNDLE_SHA256_HEADER = "x-outpost-sha256";

const SCRIPTS: Readonly<Record<string, string>> = {
  "/v1/agent/install.sh": "install.sh",
  "/v1/agent/install.ps1": "install.ps1",
};

/**
 * What a new device downloads (docs/AGENT-INSTALL.md, "One-line install"), without a token: the
 * install scripts and the agent archive, which hold nothing secret. `GET /v1/agent/bundle`
 * carries the archive's SHA-256 in {@link BUNDLE_SHA256_HEADER}; it guards against a download cut
 * short or damaged on its way, not against the relay itself (which also serves the script).
 * Returns false for any other path.
 */
export async function routeAgentInstall(
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  deps: { bundle: AgentBundle; scriptsDirectory: string },
): Promise<boolean> {
  const script = SCRIPTS[url.pathname];
  if (script === undefined && url.pathname !== "/v1/agent/bundle") return false;
  const method = request.method ?? "GET";
  if (method !== "GET" && method !== "HEAD") {
    sendError(response, 405, { error: `use GET ${url.pathname}` });
    return true;
  }
  if (script !== undefined) {
    const text = await readFile(join(deps.scriptsDirectory, script));
    response.writeHead(200, {
      "content-type": "text/plain; charset=utf-8",
      "content-length": text.byteLength,
      "cache-control": "no-store",
    });
    response.end(method === "HEAD" ? undefined : text);
    return true;
  }
  const bundle = await deps.bundle.describe();
  if (bundle === undefined) {
    sendError(response, 404, {
      error: `this relay has no agent bundle at ${deps.bundle.path}: run "npm run build -w agent" in its checkout, or set agent_bundle`,
    });
    return true;
  }
  response.writeHead(200, {
    "content-type": "application/gzip",
    "content-length": bundle.size,
    "content-disposition": 'attachment; filename="outpost-agent.tar.gz"',
    "cache-control": "no-store",
    [BUNDLE_SHA256_HEADER]: bundle.sha256,
  });
  if (method === "HEAD") response.end();
  else await pipeline(createReadStream(bundle.path), response);
  return true;
}
