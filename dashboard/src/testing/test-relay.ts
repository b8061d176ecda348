/**
 * Test support: a real relay for the dashboard's component tests, on loopback in a child process
 * (these tests run in jsdom, where the relay cannot run in the test's own process), with the admin
 * `alice`, the fleet's enrollment secret and a root key. Stopped, and its folder removed, by the
 * test's clean-up. Never imported by product code.
 */
import { generateAutomergeUrl } from "@automerge/automerge-repo/slim";
import { startRelayProcess } from "@outpost/relay/testing/relay-child";
import type { EnrollRequest } from "@outpost/shared-model";
import type { Cleanup } from "@outpost/shared-model/testing";

/**
 * What a test device sends to `POST /v1/enroll`: its ID and hostname, and by default the fleet's
 * secret and a new DeviceDoc URL (a fresh agent); a test may set anything else.
 */
export type TestEnrollment = { deviceId: string; hostname: string } & Partial<
  Omit<EnrollRequest, "deviceId">
>;

/** A relay for one test file. */
export interface ComponentTestRelay {
  /** `http://127.0.0.1:<port>` */
  relayUrl: string;
  /** The admin `alice`'s token. */
  adminToken: string;
  enrollmentSecret: string;
  /** Enrolls a device as an agent would; the relay's status and answer. */
  enroll(request: TestEnrollment): Promise<{ status: number; body: Record<string, unknown> }>;
}

/** Starts a relay in a child process; `cleanup` stops it. */
export async function startComponentTestRelay(cleanup: Cleanup): Promise<ComponentTestRelay> {
  const dataDirectory = await cleanup.tempFolder("dashboard-relay");
  const child = await startRelayProcess({ dataDirectory, port: 0 });
  cleanup.defer(() => child.stop());
  const { url, adminToken, enrollmentSecret } = child.info;
  if (adminToken === null) throw new Error("a fresh relay folder should have made alice's token");
  return {
    relayUrl: url,
    adminToken,
    enrollmentSecret,
    async enroll(request) {
      const credential = request.enrollmentToken === undefined ? { enrollmentSecret } : {};
      const response = await fetch(`${url}/v1/enroll`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ ...credential, deviceDocUrl: generateAutomergeUrl(), ...request }),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    },
  };
}
