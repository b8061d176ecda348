import { chmod, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CREDENTIALS_FILE,
  CredentialsFileError,
  EnrollmentRefused,
  enrollDevice,
  loadCredentials,
  RelayUnreachable,
  saveCredentials,
} from "@outpost/agent";
import { Relay, recordRootKey } from "@outpost/relay";
import { generateRootKey, parseDeviceId, silentLogger } from "@outpost/shared-model";
import { freePort } from "@outpost/shared-model/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const DEVICE_DOC_URL = "automerge:4NMNnkMhL8jXrdJ9jamS58PAVdXu";
const LAPTOP = parseDeviceId("laptop-7");
let directory: string;
let relay: Relay | undefined;
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), "outpost-agent-enroll-"));
});
afterEach(async () => {
  await relay?.stop();
  relay = undefined;
  await rm(directory, { recursive: true, force: true });
});

async function startRelay(): Promise<Relay> {
  // A relay enrolls devices once its fleet has a root key (`outpost-relay root init`).
  await recordRootKey(join(directory, "relay"), (await generateRootKey()).publicKey);
  relay = await Relay.start({
    dataDirectory: join(directory, "relay"),
    host: "127.0.0.1",
    port: 0,
    logger: silentLogger,
  });
  return relay;
}

describe("enrollment", () => {
  it("gets a device token and keeps it in a file only this user can read", async () => {
    const started = await startRelay();
    const answer = await enrollDevice(started.url, {
      enrollmentSecret: await started.principals.enrollmentSecret(),
      deviceId: LAPTOP,
      hostname: "laptop-7.example",
      deviceDocUrl: DEVICE_DOC_URL,
    });
    expect(answer).toMatchObject({ relayPeerId: started.peerId, rotated: false });
    const credentials = {
      deviceId: LAPTOP,
      deviceToken: answer.deviceToken,
      relayPeerId: answer.relayPeerId,
      relayUrl: started.url,
      enrolledAt: new Date().toISOString(),
    };
    await saveCredentials(directory, credentials);
    expect((await stat(join(directory, CREDENTIALS_FILE))).mode & 0o777).toBe(0o600);
    expect(await loadCredentials(directory)).toEqual(credentials);
  });

  it("says the relay refused a wrong secret, in the relay's words", async () => {
    const started = await startRelay();
    const refusal = enrollDevice(started.url, {
      enrollmentSecret: "not-the-secret",
      deviceId: LAPTOP,
      hostname: "laptop-7.example",
      deviceDocUrl: DEVICE_DOC_URL,
    });
    await expect(refusal).rejects.toThrow(EnrollmentRefused);
    await expect(refusal).rejects.toThrow(/^the relay refused enrollment \(HTTP 403\): /);
  });

  it("tells an unreachable relay apart from a refusal", async () => {
    const port = await freePort();
    const refusal = enrollDevice(`http://127.0.0.1:${port}`, {
      enrollmentSecret: "s",
      deviceId: LAPTOP,
      hostname: "h",
      deviceDocUrl: DEVICE_DOC_URL,
    });
    await expect(refusal).rejects.toThrow(RelayUnreachable);
    await expect(refusal).rejects.toThrow(
      `cannot reach the relay at http://127.0.0.1:${port}: ECONNREFUSED`,
    );
  });
});

describe("the credentials file", () => {
  it("is absent before the first enrollment", async () => {
    expect(await loadCredentials(directory)).toBeUndefined();
  });

  it("names the file and the field when it was tampered with, and how to recover", async () => {
    const path = join(directory, CREDENTIALS_FILE);
    await writeFile(
      path,
      JSON.stringify({
        deviceId: LAPTOP,
        deviceToken: "",
        relayPeerId: "relay:x",
        relayUrl: "http://r",
        enrolledAt: "yesterday",
      }),
    );
    const loading = loadCredentials(directory);
    await expect(loading).rejects.toThrow(CredentialsFileError);
    await expect(loading).rejects.toThrow(
      `${path}: deviceToken: Too small: expected string to have >=1 characters; enrolledAt: Invalid ISO datetime; delete it to enroll again with the enrollment secret`,
    );
  });

  it("says so when it is not JSON at all", async () => {
    await writeFile(join(directory, CREDENTIALS_FILE), "{ torn");
    await expect(loadCredentials(directory)).rejects.toThrow(/credentials\.json: not JSON/);
  });

  it("is tightened to 0600 if someone loosened it", async () => {
    await saveCredentials(directory, {
      deviceId: LAPTOP,
      deviceToken: "opd_x",
      relayPeerId: "relay:x",
      relayUrl: "http://r",
      enrolledAt: new Date().toISOString(),
    });
    const path = join(directory, CREDENTIALS_FILE);
    await chmod(path, 0o644);
    await loadCredentials(directory);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });
});
