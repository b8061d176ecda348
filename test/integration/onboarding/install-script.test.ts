/**
 * Self-service onboarding for real, on this machine: the one-line install command a relay gives
 * with a one-time token, run by `sh` in a temp folder (with `--no-service`: this container runs no
 * systemd), downloads the agent archive the relay serves, checks its SHA-256, writes the config;
 * the installed agent then enrolls with the token. The PowerShell script cannot run here (no
 * Windows); relay/src/onboarding/install-scripts.test.ts checks it as text.
 */
import { execFile, spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { EnrollmentTokenIssued } from "@outpost/shared-model";
import { cleanupAfterEach, eventually } from "@outpost/shared-model/testing";
import { startFleet } from "@outpost/test-support";
import { beforeAll, describe, expect, it } from "vitest";

const cleanup = cleanupAfterEach();
const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
let bundleFolder: string;

beforeAll(async () => {
  // What an operator runs on the relay's checkout: npm run build -w agent -- --out DIR.
  bundleFolder = await mkdtemp(join(tmpdir(), "outpost-bundle-"));
  await promisify(execFile)(
    process.execPath,
    ["--import", "tsx", "agent/scripts/build-bundle.ts", "--out", bundleFolder],
    { cwd: REPO_ROOT },
  );
  return () => rm(bundleFolder, { recursive: true, force: true });
}, 180_000);

/** Runs `command` with `sh -c`; resolves with its exit code and output, whatever the code. */
function shell(command: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("sh", ["-c", command], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Where the install goes: a temp folder standing in for /opt, /etc and /var/lib. */
async function installFolders() {
  const root = await cleanup.tempFolder("install");
  return {
    prefix: join(root, "opt", "outpost-agent"),
    config: join(root, "etc", "outpost", "agent.toml"),
    data: join(root, "var", "lib", "outpost-agent"),
  };
}

describe("the one-line install command", () => {
  it("installs the agent from the relay, and the agent enrolls with the token", {
    timeout: 180_000,
  }, async () => {
    const fleet = await startFleet(cleanup, {
      relay: { agentBundlePath: join(bundleFolder, "outpost-agent.tar.gz") },
    });
    const response = await fetch(`${fleet.relayUrl}/v1/enrollment-tokens`, {
      method: "POST",
      headers: { authorization: `Bearer ${fleet.adminToken}`, "content-type": "application/json" },
      body: JSON.stringify({ ttlSeconds: 3_600 }),
    });
    const issued = (await response.json()) as EnrollmentTokenIssued;
    const folders = await installFolders();
    // The command as the admin got it, without sudo, into the temp folder, starting nothing.
    expect(issued.install.shell).toMatch(/^curl -fsSL '[^']+' \| sudo sh -s -- /);
    const command = `${issued.install.shell.replace("| sudo sh", "| sh")} --prefix '${folders.prefix}' --config '${folders.config}' --data '${folders.data}' --no-service`;
    const installed = await shell(command);
    expect(installed.stderr).toContain(`installed the agent in ${folders.prefix}`);
    expect(installed.code).toBe(0);
    expect((await readdir(folders.prefix)).sort()).toEqual([
      "automerge_wasm_bg.wasm",
      "outpost-agent.mjs",
    ]);
    expect(await readFile(join(folders.prefix, "outpost-agent.mjs"))).toEqual(
      await readFile(join(bundleFolder, "outpost-agent.mjs")),
    );
    const config = await readFile(folders.config, "utf8");
    expect(config).toContain(
      `relay_url = "${fleet.relayUrl}"\nenrollment_token = "${issued.token}"\n`,
    );
    expect(config).toContain(`data = "${folders.data}"\n`);
    expect((await stat(folders.config)).mode & 0o777).toBe(0o600);
    expect(installed.stderr).toContain(
      `no service installed (--no-service); run the agent with: node ${folders.prefix}/outpost-agent.mjs run --config ${folders.config}`,
    );

    // The installed agent, run as the message says, enrolls with the one-time token.
    const agent = spawn(
      process.execPath,
      [join(folders.prefix, "outpost-agent.mjs"), "run", "--config", folders.config],
      { stdio: ["ignore", "ignore", "pipe"], env: { PATH: process.env.PATH ?? "" } },
    );
    const exited = new Promise<number | null>((resolve) => agent.once("exit", resolve));
    cleanup.defer(async () => {
      if (agent.exitCode === null) agent.kill("SIGKILL");
      await exited;
    });
    const messages: string[] = [];
    createInterface({ input: agent.stderr }).on("line", (line) => {
      messages.push(String((JSON.parse(line) as { msg?: string }).msg));
    });
    await eventually(
      () => messages.includes(`enrolled with the relay at ${fleet.relayUrl}`),
      "the installed agent to enroll",
      60_000,
    );
    const devices = fleet.relay()?.principals.listDevices() ?? [];
    expect(devices).toHaveLength(1);
    expect(fleet.relay()?.principals.enrollmentTokens.list()).toMatchObject([
      { tokenId: issued.tokenId, usedBy: devices[0]?.deviceId },
    ]);
    agent.kill("SIGTERM");
    expect(await exited).toBe(0);
  });

  it("installs nothing when the download does not match the SHA-256 the relay sent", {
    timeout: 60_000,
  }, async () => {
    const fleet = await startFleet(cleanup);
    const script = await (await fetch(`${fleet.relayUrl}/v1/agent/install.sh`)).text();
    // A relay (or what is in the way) whose archive is not what its header says.
    const archive = await readFile(join(bundleFolder, "outpost-agent.tar.gz"));
    const liar = createServer((_request, response) => {
      response.writeHead(200, { "x-outpost-sha256": "0".repeat(64) });
      response.end(archive);
    });
    await new Promise<void>((resolve) => liar.listen(0, "127.0.0.1", resolve));
    cleanup.defer(() => new Promise((resolve) => liar.close(resolve)));
    const liarUrl = `http://127.0.0.1:${(liar.address() as AddressInfo).port}`;
    const folders = await installFolders();
    const scriptFile = join(await cleanup.tempFolder("script"), "install.sh");
    await writeFile(scriptFile, script);
    const run = await shell(
      `sh '${scriptFile}' --relay '${liarUrl}' --token opt_x --prefix '${folders.prefix}' --config '${folders.config}' --data '${folders.data}' --no-service`,
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /outpost-agent install: the download is damaged: its SHA-256 is [0-9a-f]{64}, the relay said 0{64}; nothing was installed/,
    );
    await expect(stat(folders.prefix)).rejects.toThrow("ENOENT");
    await expect(stat(folders.config)).rejects.toThrow("ENOENT");

    const refused = await shell(`sh '${scriptFile}' --relay 'ftp://x' --token opt_x --no-service`);
    expect(refused).toMatchObject({ code: 1 });
    expect(refused.stderr).toContain(
      "--relay: expected the relay's http:// or https:// address, received 'ftp://x'",
    );
    const quoted = await shell(
      `sh '${scriptFile}' --relay '${liarUrl}' --token 'opt_"x' --no-service`,
    );
    expect(quoted.stderr).toContain("--token: expected a token such as opt_...");
  });
});
