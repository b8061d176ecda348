/**
 * `outpost-relay device …` and `enroll-token …` as an operator runs them: the real CLI in a child
 * process, on the data folder of a relay running in this one.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { generateAutomergeUrl } from "@automerge/automerge-repo";
import type { EnrollmentTokenIssued, EnrollPendingResponse } from "@outpost/shared-model";
import { eventually } from "@outpost/shared-model/testing";
import { describe, expect, it } from "vitest";
import { closeOf, enrollDevice, openRawSocket, postEnroll } from "../testing/clients.js";
import { REPO_ROOT } from "../testing/relay-child.js";
import { relayPerTest } from "../testing/relay-fixture.js";

const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url));
const startRelay = relayPerTest();

/** Runs the CLI with `args`; resolves with its exit code and output, whatever the code. */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", MAIN, ...args],
      { cwd: REPO_ROOT, env: { ...process.env, OUTPOST_LOG_LEVEL: "warn" } },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe("outpost-relay device", () => {
  it("lists, revokes, and refuses to purge while the relay runs", { timeout: 90_000 }, async () => {
    const fixture = await startRelay();
    const { relay, dataDirectory } = fixture;
    const device = await enrollDevice(relay, "laptop-a");
    await device.repo.shutdown();
    const outcome = await openRawSocket(`${relay.syncUrl}?token=${device.token}`);
    if (outcome.kind !== "open") throw new Error("laptop-a could not connect");
    const closed = closeOf(outcome.socket);

    const listed = await cli("device", "list", "--data", dataDirectory);
    expect(listed.stdout).toMatch(
      /^laptop-a\tactive\tlaptop-a\.example\tenrolled \d{4}-.*Z\t\d+ documents\n$/,
    );
    const revoked = await cli("device", "revoke", "laptop-a", "--data", dataDirectory);
    expect(revoked).toMatchObject({ code: 0 });
    expect(revoked.stderr).toContain("device laptop-a revoked");
    expect(await closed).toEqual({ code: 4001, reason: "token of device:laptop-a revoked" });

    const removed = await cli("device", "remove", "laptop-a", "--data", dataDirectory);
    expect(removed.stderr).toContain(
      "its documents (1) stay on disk until: outpost-relay device purge laptop-a (with the relay stopped)",
    );
    const purge = await cli("device", "purge", "laptop-a", "--data", dataDirectory);
    expect(purge.code).toBe(2);
    expect(purge.stderr).toContain(
      `${dataDirectory} is in use by another outpost-relay (PID ${process.pid})`,
    );
    const unknown = await cli("device", "revoke", "laptop-z", "--data", dataDirectory);
    expect(unknown).toMatchObject({ code: 2 });
    expect(unknown.stderr).toContain(
      'no device laptop-z; "outpost-relay device list" shows the devices',
    );
  });

  it("shows a pending re-enrollment and approves it", { timeout: 90_000 }, async () => {
    const fixture = await startRelay();
    const { relay, dataDirectory } = fixture;
    await (await enrollDevice(relay, "laptop-a")).repo.shutdown();
    const request = {
      enrollmentSecret: await relay.principals.enrollmentSecret(),
      deviceId: "laptop-a",
      hostname: "laptop-a-new.example",
      deviceDocUrl: generateAutomergeUrl(),
    };
    const pending = (await postEnroll(relay, request)).body as unknown as EnrollPendingResponse;

    const shown = await cli("device", "pending", "--data", dataDirectory);
    expect(shown.stdout).toContain(`${pending.requestId}\tdevice laptop-a\tpending\n`);
    expect(shown.stdout).toContain("from 127.0.0.1 as laptop-a-new.example");
    expect(shown.stdout).toContain(`new DeviceDoc ${request.deviceDocUrl}`);
    expect(shown.stdout).toContain("replaces laptop-a.example (active, enrolled ");
    const approved = await cli("device", "approve", pending.requestId, "--data", dataDirectory);
    expect(approved).toMatchObject({ code: 0 });
    // The running relay follows the data folder's journal (polled every half second).
    await eventually(
      () => relay.principals.pendingEnrollments.get(pending.requestId)?.decision !== undefined,
      "the relay to see the approval",
    );
    const collect = {
      ...request,
      pendingRequestId: pending.requestId,
      pendingNonce: pending.nonce,
    };
    expect((await postEnroll(relay, collect)).status).toBe(200);
  });
});

describe("outpost-relay enroll-token", () => {
  it("makes a token with its install commands, or says what is missing", {
    timeout: 90_000,
  }, async () => {
    const fixture = await startRelay();
    const { dataDirectory } = fixture;
    const made = await cli(
      "enroll-token",
      "create",
      "--device",
      "laptop-a",
      "--ttl",
      "2h",
      "--url",
      "https://relay.example.com/",
      "--json",
      "--data",
      dataDirectory,
    );
    expect(made.code).toBe(0);
    const issued = JSON.parse(made.stdout) as EnrollmentTokenIssued;
    expect(issued).toMatchObject({ deviceId: "laptop-a", relayUrl: "https://relay.example.com" });
    expect(issued.expiresAt - Date.now()).toBeGreaterThan(7_000_000);
    const fleet = fixture.relay.principals.adminKeys.root?.fleet as string;
    expect(issued.install.shell).toBe(
      `curl -fsSL 'https://relay.example.com/v1/agent/install.sh' | sudo sh -s -- --relay 'https://relay.example.com' --token '${issued.token}' --root-fingerprint '${fleet}' --device-id 'laptop-a'`,
    );
    // The running relay follows the file: the token enrolls there.
    await eventually(
      () => fixture.relay.principals.enrollmentTokens.list().length === 1,
      "the relay to see the token",
    );
    expect(
      (
        await postEnroll(fixture.relay, {
          enrollmentToken: issued.token,
          deviceId: "laptop-a",
          hostname: "laptop-a.example",
          deviceDocUrl: generateAutomergeUrl(),
        })
      ).status,
    ).toBe(200);

    const text = await cli(
      "enroll-token",
      "create",
      "--url",
      "https://relay.example.com",
      "--data",
      dataDirectory,
    );
    expect(text.stdout).toMatch(/^opt_[A-Za-z0-9_-]{43}\n/);
    expect(text.stdout).toContain("Linux, macOS (as a user who may sudo):\n  curl -fsSL ");
    expect(text.stdout).toContain(
      "Windows (PowerShell as Administrator):\n  [Net.ServicePointManager]",
    );
    expect(text.stdout).toContain(`pinning the fleet's root key ${fleet}`);

    const tooLong = await cli(
      "enroll-token",
      "create",
      "--ttl",
      "31d",
      "--url",
      "https://r.example",
      "--data",
      dataDirectory,
    );
    expect(tooLong).toMatchObject({ code: 2 });
    expect(tooLong.stderr).toContain(
      "an enrollment token lasts from 1 minute to 30 days, received 2678400 s",
    );
    const noUrl = await cli("enroll-token", "create", "--data", dataDirectory);
    expect(noUrl).toMatchObject({ code: 2 });
    expect(noUrl.stderr).toContain(
      "--url https://relay.example.com, or public_url in the config file",
    );
    const list = await cli("enroll-token", "list", "--data", dataDirectory);
    expect(list.stdout).toContain(`${issued.tokenId}\tlaptop-a\tused by laptop-a\t`);
  });
});
