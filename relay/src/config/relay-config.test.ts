import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadRelayConfig } from "./relay-config.js";

let directory: string;
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), "outpost-relay-config-"));
});
afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function configFile(text: string): Promise<string> {
  const path = join(directory, "relay.toml");
  await writeFile(path, text);
  return path;
}

describe("relay config file", () => {
  it("accepts the shipped example as it is", async () => {
    const example = fileURLToPath(new URL("../../relay.example.toml", import.meta.url));
    const config = await loadRelayConfig(example);
    expect(config).toMatchObject({
      host: "127.0.0.1",
      port: 8080,
      limits: { max_connections_per_token: 8 },
    });
  });

  it("names the file and the unknown key", async () => {
    const path = await configFile("port = 8080\n[limits]\nmax_conections_per_token = 3\n");
    await expect(loadRelayConfig(path)).rejects.toThrow(
      `${path}: unknown key limits.max_conections_per_token`,
    );
  });

  it("names the key and what was expected for a bad value", async () => {
    const path = await configFile('port = "eighty"\n');
    await expect(loadRelayConfig(path)).rejects.toThrow(
      `${path}: port: Invalid input: expected number, received string`,
    );
  });

  it("takes trusted_proxies as addresses and ranges, naming a bad entry and its index", async () => {
    const good = await configFile(
      'trusted_proxies = ["127.0.0.1", "10.0.0.0/8", "::ffff:127.0.0.1"]\n',
    );
    expect(await loadRelayConfig(good)).toMatchObject({
      trusted_proxies: ["127.0.0.1", "10.0.0.0/8", "::ffff:127.0.0.1"],
    });
    const bad = await configFile('trusted_proxies = ["127.0.0.1", "fd00::/200"]\n');
    await expect(loadRelayConfig(bad)).rejects.toThrow(
      `${bad}: trusted_proxies.1: "fd00::/200" is not an IP address or CIDR range (the prefix length must be 0..128)`,
    );
  });

  it("points at the line and column of a TOML syntax error", async () => {
    const path = await configFile('host = "127.0.0.1"\nport = = 8080\n');
    await expect(loadRelayConfig(path)).rejects.toThrow(
      new RegExp(`^${path}:2:\\d+: not valid TOML`),
    );
  });

  it("says which file it could not read", async () => {
    await expect(loadRelayConfig(join(directory, "missing.toml"))).rejects.toThrow(
      /cannot read config file .*missing\.toml/,
    );
  });
});
