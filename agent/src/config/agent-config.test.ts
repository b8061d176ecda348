import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigFileError } from "@outpost/shared-model/config";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runAgentCli } from "../testing/agent-child.js";
import { loadAgentConfig } from "./agent-config.js";
import { writeAgentConfig } from "./write-agent-config.js";

const EXAMPLE = fileURLToPath(new URL("../../agent.example.toml", import.meta.url));
const MINIMAL = 'relay_url = "https://relay.example.com"\ndata = "state"\n';

let directory: string;
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), "outpost-agent-config-"));
});
afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function configFile(text: string): Promise<string> {
  const path = join(directory, "agent.toml");
  await writeFile(path, text);
  return path;
}

describe("agent config file", () => {
  it("accepts the shipped example as it is", async () => {
    expect(await loadAgentConfig(EXAMPLE)).toEqual({
      path: EXAMPLE,
      relayUrl: "http://127.0.0.1:8080",
      enrollmentSecret: "replace-with-the-fleet-enrollment-secret",
      dataDirectory: "/var/lib/outpost-agent",
      sampleIntervalSeconds: 10,
      retainDays: 2,
      diskBudgetBytes: 256 * 1024 * 1024,
      logLevel: "info",
      maxConcurrentCommands: 1,
      archiveCommandsAfterDays: 30,
      scriptsDirectory: "/var/lib/outpost-agent/scripts",
    });
  });

  it("fills in the documented defaults and reads data relative to the file's folder", async () => {
    const config = await loadAgentConfig(await configFile(MINIMAL));
    expect(config).toMatchObject({
      relayUrl: "https://relay.example.com",
      enrollmentSecret: undefined,
      dataDirectory: join(directory, "state"),
      sampleIntervalSeconds: 10,
      retainDays: 2,
      diskBudgetBytes: 256 * 1024 * 1024,
      logLevel: "info",
      maxConcurrentCommands: 1,
      archiveCommandsAfterDays: 30,
      scriptsDirectory: join(directory, "state", "scripts"),
    });
  });

  it("reads a one-time enrollment token and the device ID it was made for", async () => {
    const path = await configFile(
      `${MINIMAL}enrollment_token = "opt_abc"\ndevice_id = "laptop-7"\nroot_key_fingerprint = "SHA256:${"A".repeat(43)}"\n`,
    );
    expect(await loadAgentConfig(path)).toMatchObject({
      enrollmentSecret: undefined,
      enrollmentToken: "opt_abc",
      deviceId: "laptop-7",
    });
    const checked = await runAgentCli("config", "check", path);
    expect(checked.stdout).toContain('"enrollmentToken": "(set)"');
    expect(checked.stdout).not.toContain("opt_abc");
  });

  it("passes the fleet's root key fingerprint on to the agent, which pins no other root", async () => {
    const fingerprint = "SHA256:47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU";
    const config = await loadAgentConfig(
      await configFile(`${MINIMAL}root_key_fingerprint = "${fingerprint}"\n`),
    );
    expect(config.rootKeyFingerprint).toBe(fingerprint);
    expect((await loadAgentConfig(await configFile(MINIMAL))).rootKeyFingerprint).toBeUndefined();
  });

  const mistakes: [string, string, string][] = [
    [
      "a device_id that is not one",
      `${MINIMAL}device_id = "../laptop"\n`,
      "device_id: expected a device ID: 1-64 of [A-Za-z0-9._-], starting with a letter or digit",
    ],
    ["an unknown key", `${MINIMAL}sample_interval = 5\n`, "unknown key sample_interval"],
    [
      "a missing relay_url",
      'data = "state"\n',
      "relay_url: missing; expected the relay's http:// or https:// address",
    ],
    [
      "a missing data folder",
      'relay_url = "https://r.example"\n',
      "data: missing; expected a folder",
    ],
    [
      "a relay_url that is not http(s)",
      'relay_url = "ws://relay:8080"\ndata = "x"\n',
      "relay_url: expected the relay's http:// or https:// address",
    ],
    [
      "a relay_url with a path",
      'relay_url = "https://relay.example.com/sync"\ndata = "x"\n',
      "relay_url: expected the relay's address without a path",
    ],
    [
      "an empty data folder",
      'relay_url = "https://r.example"\ndata = ""\n',
      "data: expected a folder",
    ],
    [
      "a sampling interval of zero",
      `${MINIMAL}sample_interval_seconds = 0\n`,
      "sample_interval_seconds: Too small: expected number to be >=1",
    ],
    [
      "a disk budget given as text",
      `${MINIMAL}disk_budget_mib = "256M"\n`,
      "disk_budget_mib: Invalid input: expected number, received string",
    ],
    ["an unknown log level", `${MINIMAL}log_level = "loud"\n`, "log_level: Invalid option"],
    [
      "no room for a single command",
      `${MINIMAL}max_concurrent_commands = 0\n`,
      "max_concurrent_commands: Too small: expected number to be >=1",
    ],
  ];
  it.each(mistakes)(
    "names the file, the key and what was expected for %s",
    async (_, text, message) => {
      const path = await configFile(text);
      const failure = loadAgentConfig(path);
      await expect(failure).rejects.toThrow(ConfigFileError);
      await expect(failure).rejects.toThrow(`${path}: ${message}`);
    },
  );

  it("points at the line and column of a TOML syntax error", async () => {
    const path = await configFile('relay_url = "https://r.example"\ndata = = "x"\n');
    await expect(loadAgentConfig(path)).rejects.toThrow(
      new RegExp(`^${path}:2:\\d+: not valid TOML`),
    );
  });
});

describe("outpost-agent config check", () => {
  const run = runAgentCli;

  it("prints the settings of a good file, secret hidden, and exits 0", async () => {
    const result = await run("config", "check", EXAMPLE);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`${EXAMPLE}: ok`);
    expect(result.stdout).toContain('"enrollmentSecret": "(set)"');
    expect(result.stdout).not.toContain("replace-with-the-fleet-enrollment-secret");
  });

  it("says what is wrong with a bad file and exits 2", async () => {
    const path = await configFile(`${MINIMAL}retain_days = -1\n`);
    const result = await run("config", "check", path);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `outpost-agent: ${path}: retain_days: Too small: expected number to be >=0\n`,
    );
  });

  it("says which file it could not read and exits 2", async () => {
    const result = await run("config", "check", join(directory, "missing.toml"));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/cannot read config file .*missing\.toml: ENOENT/);
  });
});

describe("writing an agent config file", () => {
  it("writes what the agent reads back, the header as comments, readable by its owner only", async () => {
    const path = join(directory, "written.toml");
    await writeAgentConfig(
      path,
      {
        relay_url: "http://127.0.0.1:8080",
        enrollment_secret: 'ops_"quoted"\\secret',
        data: "data",
        sample_interval_seconds: 1,
        log_level: "warn",
      },
      { header: ["Written by a test."] },
    );
    expect((await readFile(path, "utf8")).split("\n")[0]).toBe("# Written by a test.");
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await loadAgentConfig(path)).toMatchObject({
      relayUrl: "http://127.0.0.1:8080",
      enrollmentSecret: 'ops_"quoted"\\secret',
      dataDirectory: join(directory, "data"),
      sampleIntervalSeconds: 1,
      logLevel: "warn",
    });
  });

  it("refuses settings the agent would refuse, naming the key, and writes nothing", async () => {
    const path = join(directory, "refused.toml");
    await expect(
      writeAgentConfig(path, { relay_url: "http://127.0.0.1:8080", data: "" }),
    ).rejects.toThrow(/refusing to write .*refused\.toml: data: expected a folder/);
    await expect(stat(path)).rejects.toThrow("ENOENT");
  });
});
