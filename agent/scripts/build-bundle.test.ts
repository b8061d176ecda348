/**
 * The installable agent: one bundled ES module plus Automerge's WebAssembly runs with nothing
 * but Node, from a folder without node_modules.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { cleanupAfterEach } from "@outpost/shared-model/testing";
import { describe, expect, it } from "vitest";
import {
  AGENT_NODE_FLAGS,
  ARCHIVE_FILE,
  BUNDLE_FILE,
  buildAgentBundle,
  WASM_FILE,
} from "./build-bundle.js";

const cleanup = cleanupAfterEach();

describe("the agent bundle", () => {
  it("is two files, and an archive of both, that run the CLI with only node, the agent's V8 flags in its #! line", {
    timeout: 60_000,
  }, async () => {
    const out = await cleanup.tempFolder("bundle");
    const bundle = await buildAgentBundle(out);
    expect((await readdir(out)).sort()).toEqual([WASM_FILE, BUNDLE_FILE, ARCHIVE_FILE].sort());
    const firstLine = (await readFile(bundle, "utf8")).split("\n", 1)[0];
    expect(firstLine).toBe(`#!/usr/bin/env -S node ${AGENT_NODE_FLAGS.join(" ")}`);

    // The archive the relay serves holds the same two files, the bundle executable; the system's
    // own tar unpacks it.
    const unpacked = join(out, "unpacked");
    await mkdir(unpacked);
    await promisify(execFile)("tar", ["-xzf", join(out, ARCHIVE_FILE), "-C", unpacked]);
    expect((await readdir(unpacked)).sort()).toEqual([WASM_FILE, BUNDLE_FILE].sort());
    for (const file of [BUNDLE_FILE, WASM_FILE])
      expect(await readFile(join(unpacked, file))).toEqual(await readFile(join(out, file)));
    const listing = await promisify(execFile)("tar", ["-tvzf", join(out, ARCHIVE_FILE)]);
    expect(listing.stdout).toMatch(new RegExp(`^-rwxr-xr-x .* ${BUNDLE_FILE}$`, "m"));

    // Run from the temp folder: no node_modules anywhere above it. Loading the bundle
    // instantiates Automerge's WebAssembly, so any command proves the pair is complete.
    const example = new URL("../agent.example.toml", import.meta.url).pathname;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [...AGENT_NODE_FLAGS, bundle, "config", "check", example],
      { cwd: out, env: { PATH: process.env.PATH ?? "" } },
    );
    expect(stdout).toContain(`${example}: ok`);
    const status = await promisify(execFile)(
      process.execPath,
      [bundle, "status", "--config", example],
      { cwd: out },
    ).catch((error: { code: number; stderr: string }) => error);
    expect(status).toMatchObject({ code: 1, stderr: expect.stringContaining("no agent data in") });

    // The service commands, for real on this machine (nothing is installed: a machine without
    // systemd as init, or a user who is not root, is refused before anything is written).
    const serviceStatus = await promisify(execFile)(
      process.execPath,
      [bundle, "service", "status"],
      {
        cwd: out,
      },
    );
    expect(serviceStatus.stdout).toMatch(/^outpost-agent: /);
    if (process.platform === "linux" && !existsSync("/run/systemd/system")) {
      const install = await promisify(execFile)(
        process.execPath,
        [bundle, "service", "install", "--config", example],
        { cwd: out },
      ).catch((error: { code: number; stderr: string }) => error);
      expect(install).toMatchObject({
        code: 2,
        stderr: expect.stringMatching(/needs administrator rights|does not run systemd/),
      });
    }
  });
});
