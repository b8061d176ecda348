/**
 * The install scripts and the agent archive as a relay serves them, and the install commands kept
 * in step with the scripts' options. The shell script runs for real in
 * test/integration/onboarding; the PowerShell script can only be read here (no Windows).
 */
import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { cleanupAfterEach } from "@outpost/shared-model/testing";
import { describe, expect, it } from "vitest";
import { BUNDLE_SHA256_HEADER } from "../http/agent-install-routes.js";
import { startTestRelay } from "../testing/relay-fixture.js";
import { INSTALL_SCRIPTS_DIRECTORY } from "./agent-bundle.js";
import { installCommands } from "./install-commands.js";

const cleanup = cleanupAfterEach();
const FINGERPRINT = `SHA256:${"a".repeat(43)}`;
const commands = installCommands({
  relayUrl: "https://relay.example.com",
  token: "opt_token",
  rootKeyFingerprint: FINGERPRINT,
  deviceId: "laptop-7",
});
const script = (name: string) => readFile(join(INSTALL_SCRIPTS_DIRECTORY, name), "utf8");

describe("the install commands", () => {
  it("pass the shell script only options it knows", async () => {
    expect(commands.shell).toBe(
      `curl -fsSL 'https://relay.example.com/v1/agent/install.sh' | sudo sh -s -- --relay 'https://relay.example.com' --token 'opt_token' --root-fingerprint '${FINGERPRINT}' --device-id 'laptop-7'`,
    );
    const options = [...commands.shell.matchAll(/ (--[a-z-]+) /g)].map((match) => match[1]);
    expect(options).toEqual(["--relay", "--token", "--root-fingerprint", "--device-id"]);
    const text = await script("install.sh");
    for (const option of options) expect(text).toContain(`    ${option})`);
    expect(text).toContain(BUNDLE_SHA256_HEADER);
  });

  it("pass the PowerShell script only parameters it declares", async () => {
    expect(commands.powershell).toBe(
      "[Net.ServicePointManager]::SecurityProtocol = [Net.SecurityProtocolType]::Tls12; " +
        `& ([scriptblock]::Create((Invoke-RestMethod 'https://relay.example.com/v1/agent/install.ps1'))) -Relay 'https://relay.example.com' -Token 'opt_token' -RootFingerprint '${FINGERPRINT}' -DeviceId 'laptop-7'`,
    );
    const text = await script("install.ps1");
    const block = /param\(([\s\S]*?)\n\)/.exec(text)?.[1] ?? "";
    const declared = [...block.matchAll(/\]\s+\$([A-Za-z]+)/g)].map((match) => match[1]);
    expect(declared).toEqual([
      "Relay",
      "Token",
      "RootFingerprint",
      "DeviceId",
      "InstallDir",
      "Config",
      "Data",
      "WinSW",
      "NoService",
    ]);
    const passed = [...commands.powershell.matchAll(/ -([A-Za-z]+) '/g)].map((match) => match[1]);
    for (const parameter of passed) expect(declared).toContain(parameter);
    // What it relies on, as far as reading can tell: the archive's hash header, Windows' own
    // hashing and tar, and a config without a byte order mark (which the TOML reader refuses).
    expect(text).toContain(`-ieq "${BUNDLE_SHA256_HEADER}"`);
    expect(text).toContain("Get-FileHash -Algorithm SHA256");
    expect(text).toContain("System32\\tar.exe");
    expect(text).toContain("New-Object Text.UTF8Encoding $false");
  });

  it("quote what they carry", () => {
    const quoted = installCommands({ relayUrl: "https://r.example", token: "it's" });
    expect(quoted.shell).toContain(`--token 'it'\\''s'`);
    expect(quoted.powershell).toContain(`-Token 'it''s'`);
  });
});

describe("what a relay serves a new device", () => {
  it("serves both scripts, and the archive with its SHA-256", async () => {
    const folder = await cleanup.tempFolder("bundle");
    const archive = join(folder, "outpost-agent.tar.gz");
    await writeFile(archive, "not really an archive");
    const fixture = await startTestRelay({ agentBundlePath: archive });
    cleanup.defer(() => fixture.close());
    const { url } = fixture.relay;
    for (const name of ["install.sh", "install.ps1"]) {
      const response = await fetch(`${url}/v1/agent/${name}`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("text/plain; charset=utf-8");
      expect(await response.text()).toBe(await script(name));
    }
    const bundle = await fetch(`${url}/v1/agent/bundle`);
    const bytes = Buffer.from(await bundle.arrayBuffer());
    expect(bytes.toString()).toBe("not really an archive");
    expect(bundle.headers.get(BUNDLE_SHA256_HEADER)).toBe(
      createHash("sha256").update(bytes).digest("hex"),
    );
    // A rebuilt agent is served at once, with its own hash.
    await writeFile(archive, "a rebuilt archive");
    const rebuilt = await fetch(`${url}/v1/agent/bundle`);
    expect(rebuilt.headers.get(BUNDLE_SHA256_HEADER)).toBe(
      createHash("sha256").update("a rebuilt archive").digest("hex"),
    );
    await rebuilt.arrayBuffer();
    expect((await fetch(`${url}/v1/agent/bundle`, { method: "POST" })).status).toBe(405);
  });

  it("says how to build the agent when it has none", async () => {
    const folder = await cleanup.tempFolder("bundle");
    const missing = join(folder, "outpost-agent.tar.gz");
    const fixture = await startTestRelay({ agentBundlePath: missing });
    cleanup.defer(() => fixture.close());
    const response = await fetch(`${fixture.relay.url}/v1/agent/bundle`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: `this relay has no agent bundle at ${missing}: run "npm run build -w agent" in its checkout, or set agent_bundle`,
    });
  });
});
