/**
 * Builds the installable agent: one ES module with every dependency bundled, plus Automerge's
 * WebAssembly next to it, so a device needs Node and these two files, no `npm install`; and the
 * two in one archive, which the relay serves to install scripts (`GET /v1/agent/bundle`).
 *
 *   npm run build -w agent [-- --out DIR]       (default agent/dist)
 */
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { build } from "esbuild";
import { AGENT_NODE_FLAGS } from "../src/runtime/node-flags.js";
import { tarGz } from "./tar-archive.js";

/** The bundle's file name in the output folder. */
export const BUNDLE_FILE = "outpost-agent.mjs";
/** Automerge's WebAssembly, which the bundle loads from its own folder. */
export const WASM_FILE = "automerge_wasm_bg.wasm";
/** Both files in one gzip'd tar archive: what the relay serves at `GET /v1/agent/bundle`. */
export const ARCHIVE_FILE = "outpost-agent.tar.gz";

/** The V8 flags the bundle's `#!` line passes (see src/runtime/node-flags.ts). */
export { AGENT_NODE_FLAGS };

const agentRoot = fileURLToPath(new URL("..", import.meta.url));

/** Bundles the agent CLI into `outDirectory`; returns the bundle's path. */
export async function buildAgentBundle(outDirectory: string): Promise<string> {
  await mkdir(outDirectory, { recursive: true });
  const outfile = join(outDirectory, BUNDLE_FILE);
  await build({
    entryPoints: [join(agentRoot, "src/cli/main.ts")],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    conditions: ["node"],
    // Optional native speed-ups their packages try to load and do without.
    external: ["bufferutil", "utf-8-validate", "cbor-extract"],
    // CommonJS dependencies (Automerge's Node glue, systeminformation) expect these.
    banner: {
      js: [
        'import { createRequire as __outpostCreateRequire } from "node:module";',
        'import { fileURLToPath as __outpostFileURLToPath } from "node:url";',
        "const require = __outpostCreateRequire(import.meta.url);",
        "const __filename = __outpostFileURLToPath(import.meta.url);",
        'const __dirname = __outpostFileURLToPath(new URL(".", import.meta.url));',
      ].join("\n"),
    },
    legalComments: "none",
    // About 10 MB less to parse and keep at start-up; names stay for logs and stack traces.
    minify: true,
    keepNames: true,
    logLevel: "warning",
  });
  const code = await readFile(outfile, "utf8");
  await writeFile(
    outfile,
    code.replace(/^#!.*\n/, `#!/usr/bin/env -S node ${AGENT_NODE_FLAGS.join(" ")}\n`),
  );
  // Automerge's Node glue reads `${__dirname}/automerge_wasm_bg.wasm`: the bundle's folder.
  const require = createRequire(join(agentRoot, "package.json"));
  const wasm = join(outDirectory, WASM_FILE);
  await copyFile(require.resolve("@automerge/automerge/automerge.wasm"), wasm);
  const archive = tarGz([
    { name: BUNDLE_FILE, bytes: await readFile(outfile), mode: 0o755 },
    { name: WASM_FILE, bytes: await readFile(wasm), mode: 0o644 },
  ]);
  await writeFile(join(outDirectory, ARCHIVE_FILE), archive);
  return outfile;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { out: { type: "string" } }, strict: true });
  const outfile = await buildAgentBundle(resolve(values.out ?? join(agentRoot, "dist")));
  process.stdout.write(`built ${outfile}\n`);
}
