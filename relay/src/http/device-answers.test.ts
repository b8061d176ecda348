/**
 * What the device routes answer is what the dashboard reads: every answer of a real relay parses
 * with the schemas in shared-model (`deviceAdminAnswers`), so a change on one side that the other
 * does not follow fails here, not in an admin's browser.
 */
import { generateAutomergeUrl } from "@automerge/automerge-repo";
import { deviceAdminAnswers, parseRelayAnswer } from "@outpost/shared-model";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminCall } from "../testing/admin-http.js";
import { enrollDevice, postEnroll } from "../testing/clients.js";
import { startTestRelay, type TestRelay } from "../testing/relay-fixture.js";

let fixture: TestRelay;

beforeAll(async () => {
  fixture = await startTestRelay();
});

afterAll(async () => {
  await fixture?.close();
});

const call = (method: "GET" | "POST", path: string, body?: unknown) =>
  adminCall<unknown>(fixture.relay.url, fixture.adminToken, method, path, body);

describe("the device routes' answers", () => {
  it("parse with the schemas the dashboard reads them with", async () => {
    const { relay } = fixture;
    const device = await enrollDevice(relay, "laptop-a");
    await device.repo.shutdown();
    const asked = await postEnroll(relay, {
      enrollmentSecret: await relay.principals.enrollmentSecret(),
      deviceId: "laptop-a",
      hostname: "laptop-a.reinstalled",
      deviceDocUrl: generateAutomergeUrl(),
    });
    expect(asked.status).toBe(202);
    const { requestId } = asked.body as unknown as { requestId: string };

    const issued = await call("POST", "/v1/enrollment-tokens", {
      deviceId: "kiosk-7",
      ttlSeconds: 3_600,
    });
    expect(issued.status).toBe(201);
    const token = parseRelayAnswer(deviceAdminAnswers.issued, issued.body, "token");
    expect(token).toMatchObject({ deviceId: "kiosk-7", relayUrl: relay.url });
    expect(token.install.shell).toContain(token.token);

    const answers = {
      devices: await call("GET", "/v1/devices"),
      requests: await call("GET", "/v1/pending-enrollments?all=1"),
      tokens: await call("GET", "/v1/enrollment-tokens"),
      tokenRevoked: await call("POST", `/v1/enrollment-tokens/${token.tokenId}/revoke`),
      request: await call("POST", `/v1/pending-enrollments/${requestId}/deny`),
      device: await call("POST", "/v1/devices/laptop-a/revoke"),
    };
    for (const [route, answer] of Object.entries(answers)) {
      expect(answer.status, route).toBe(200);
      const schema = deviceAdminAnswers[route as keyof typeof answers];
      // Everything the relay sent is in the schema: nothing the dashboard would drop unseen.
      expect(parseRelayAnswer(schema, answer.body, route), route).toEqual(answer.body);
    }
    expect(answers.device.body).toMatchObject({ device: { status: "revoked" } });
  });
});
