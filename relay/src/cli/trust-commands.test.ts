/**
 * `outpost-relay root …` and `admin key …` as an operator types them (the CLI in a child
 * process): the root made once with its recovery key shown once, and admin keys approved and
 * revoked with the recovery key while a relay runs, reaching its TrustDoc.
 */
import { spawn } from "node:child_process";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { AutomergeUrl } from "@automerge/automerge-repo";
import type { TrustDoc } from "@outpost/shared-model";
import { generateRootKey, openRootKey, silentLogger } from "@outpost/shared-model";
import { cleanupAfterEach, eventually } from "@outpost/shared-model/testing";
import { describe, expect, it } from "vitest";
import { PrincipalStore } from "../state/principal-store.js";
import { adminKeysApi, newAdminKey } from "../testing/admin-keys.js";
import { connectedTo } from "../testing/clients.js";
import { startTestRelay } from "../testing/relay-fixture.js";

const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url));
/** Each CLI run starts node with tsx: seconds on a loaded machine, and some tests run many. */
const TEST_TIMEOUT_MS = 120_000;

const cleanup = cleanupAfterEach();

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `outpost-relay …args` to completion, `stdin` piped in (empty unless given). */
function cli(args: string[], options: { stdin?: string; env?: NodeJS.ProcessEnv } = {}) {
  const child = spawn(process.execPath, ["--import", "tsx", MAIN, ...args], {
    stdio: ["pipe", "pipe", "pipe"],
    env: { ...process.env, OUTPOST_ROOT_KEY: "", ...options.env },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  child.stdin.end(options.stdin ?? "");
  return new Promise<CliRun>((resolve) =>
    child.once("close", (code) => resolve({ code, stdout, stderr })),
  );
}

/** The data folder's fleet, as another process reads principals.jsonl. */
async function fleetOf(data: string) {
  const store = await PrincipalStore.open(data, silentLogger);
  store.close();
  return { root: store.adminKeys.root, store };
}

describe("outpost-relay root", () => {
  it("init shows the recovery key once, keeps only its public half, and refuses a second root", {
    timeout: TEST_TIMEOUT_MS,
  }, async () => {
    const data = await cleanup.tempFolder("cli-root");
    const init = await cli(["root", "init", "--data", data]);
    expect(init.code).toBe(0);
    const recoveryKey = init.stdout.trim();
    const root = await openRootKey(recoveryKey);
    expect(init.stderr).toContain(`The fleet's root key is made: ${root.fleet}`);
    expect(init.stderr).toContain("Keep the recovery key offline");
    expect((await fleetOf(data)).root).toEqual({ publicKey: root.publicKey, fleet: root.fleet });
    const journal = await readFile(join(data, "principals.jsonl"), "utf8");
    expect(journal).not.toContain(recoveryKey.split(":")[2]);

    const show = await cli(["root", "show", "--data", data]);
    expect(show.stdout).toBe(`fingerprint\t${root.fleet}\npublic-key\t${root.publicKey}\n`);

    const again = await cli(["root", "init", "--data", data]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`this fleet already has a root key (${root.fleet})`);
    expect(again.stdout).toBe("");
    expect((await fleetOf(data)).root?.publicKey).toBe(root.publicKey);
  });

  it("init --root-key-out writes the recovery key to a 0600 file, never over another", {
    timeout: TEST_TIMEOUT_MS,
  }, async () => {
    const data = await cleanup.tempFolder("cli-root");
    const taken = join(data, "taken.key");
    await writeFile(taken, "something else\n");
    const refused = await cli(["root", "init", "--data", data, "--root-key-out", taken]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`--root-key-out ${taken} exists`);
    expect(await readFile(taken, "utf8")).toBe("something else\n");
    expect((await fleetOf(data)).root).toBeUndefined();

    const out = join(data, "recovery.key");
    const init = await cli(["root", "init", "--data", data, "--root-key-out", out]);
    expect(init.code).toBe(0);
    expect(init.stdout).toBe("");
    expect((await stat(out)).mode & 0o777).toBe(0o600);
    const root = await openRootKey(await readFile(out, "utf8"));
    expect((await fleetOf(data)).root?.fleet).toBe(root.fleet);
    expect(init.stderr).toContain(`in ${out} (mode 0600)`);
  });
});

describe("outpost-relay admin add", () => {
  it("makes the root with the first admin, printing the token first; later admins get a token only", {
    timeout: TEST_TIMEOUT_MS,
  }, async () => {
    const data = await cleanup.tempFolder("cli-admin");
    const first = await cli(["admin", "add", "alice", "--data", data]);
    expect(first.code).toBe(0);
    const [token, recoveryKey, ...rest] = first.stdout.trim().split("\n");
    expect(rest).toEqual([]);
    const { root, store } = await fleetOf(data);
    expect(store.authenticate(token as string)).toEqual({ kind: "admin", name: "alice" });
    expect((await openRootKey(recoveryKey as string)).publicKey).toBe(root?.publicKey);

    const second = await cli(["admin", "add", "bob", "--data", data]);
    expect(second.code).toBe(0);
    expect(second.stdout.trim().split("\n")).toHaveLength(1);
    const out = await cli(["admin", "add", "carol", "--data", data, "--root-key-out", "x.key"]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain("admin add --root-key-out: this fleet already has a root key");
    expect((await fleetOf(data)).store.listAdmins().map((admin) => admin.name)).toEqual([
      "alice",
      "bob",
    ]);
  });
});

describe("outpost-relay admin key", () => {
  it("approves and revokes a registered key with the recovery key while the relay runs", {
    timeout: TEST_TIMEOUT_MS,
  }, async () => {
    const root = await generateRootKey();
    const fixture = cleanup.add(await startTestRelay({ root }), (started) => started.close());
    const data = fixture.dataDirectory;
    const key = await newAdminKey();
    await adminKeysApi(fixture.relay.url, fixture.adminToken).register(key.publicKey, "laptop");

    const listed = await cli(["admin", "key", "list", "--data", data]);
    expect(listed.stdout).toMatch(new RegExp(`^${key.keyId}\talice\tpending\t\\S+\tlaptop\n$`));

    // Mistakes, each named, and nothing recorded.
    const noKey = await cli(["admin", "key", "approve", "alice", key.keyId, "--data", data]);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain("pass --root-key FILE, set OUTPOST_ROOT_KEY, or pipe it");
    const otherFleet = await generateRootKey();
    const wrongFleet = await cli(["admin", "key", "approve", "alice", key.keyId, "--data", data], {
      env: { OUTPOST_ROOT_KEY: otherFleet.recoveryKey },
    });
    expect(wrongFleet.code).toBe(2);
    expect(wrongFleet.stderr).toContain(
      `the recovery key is for the fleet ${otherFleet.fleet}, but this relay's fleet is ${root.fleet}`,
    );
    const wrongAdmin = await cli(["admin", "key", "approve", "bob", key.keyId, "--data", data], {
      stdin: root.recoveryKey,
    });
    expect(wrongAdmin.code).toBe(2);
    expect(wrongAdmin.stderr).toContain(`key ${key.keyId} was registered by admin alice, not bob`);
    const garbled = await cli(["admin", "key", "approve", "alice", key.keyId, "--data", data], {
      stdin: "outpost-root-v1:nonsense",
    });
    expect(garbled.code).toBe(2);
    expect(garbled.stderr).toContain("standard input holds not a usable recovery key");
    const unknown = await cli([
      "admin",
      "key",
      "approve",
      "alice",
      "AAAAAAAAAAAAAAAAAAAAAA",
      "--data",
      data,
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("no admin key AAAAAAAAAAAAAAAAAAAAAA is registered");
    const typo = await cli(["admin", "key", "revoke", "not-a-key-id", "--data", data]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('expected a KEY_ID of 22 characters as "admin key list" shows');
    expect(fixture.relay.principals.adminKeys.key(key.keyId)?.status).toBe("pending");

    // The recovery key from a file: certified, and the running relay writes it into its TrustDoc.
    const keyFile = join(await cleanup.tempFolder("recovery"), "root.key");
    await writeFile(keyFile, root.recoveryKey, { mode: 0o600 });
    const approve = await cli([
      "admin",
      "key",
      "approve",
      "alice",
      key.keyId,
      "--data",
      data,
      "--root-key",
      keyFile,
    ]);
    expect(approve.code).toBe(0);
    const replica = fixture.connect({ kind: "admin", name: "alice" }, fixture.adminToken);
    await connectedTo(replica, fixture.relay.peerId);
    const trust = await replica.find<TrustDoc>(fixture.relay.trust?.trustDocUrl as AutomergeUrl);
    await eventually(() => key.keyId in trust.doc().certificates, "the CLI's certificate");
    expect(trust.doc().certificates[key.keyId]).toMatchObject({
      admin: "alice",
      publicKey: key.publicKey,
    });

    // The recovery key on standard input: revoked, with the reason, in the TrustDoc too.
    const revoke = await cli(
      ["admin", "key", "revoke", key.keyId, "--reason", "laptop stolen", "--data", data],
      { stdin: `${root.recoveryKey}\n` },
    );
    expect(revoke.code).toBe(0);
    await eventually(() => key.keyId in trust.doc().revocations, "the CLI's revocation");
    expect(trust.doc().revocations[key.keyId]?.reason).toBe("laptop stolen");
    const after = await cli(["admin", "key", "list", "--data", data]);
    expect(after.stdout).toContain(`${key.keyId}\talice\trevoked\t`);
  });
});
