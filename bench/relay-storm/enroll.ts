import type { DocumentId } from "@automerge/automerge-repo";
import { stringifyAutomergeUrl } from "@automerge/automerge-repo";
import type { EnrollRequest, EnrollResponse } from "@outpost/shared-model";
import { parseDeviceId } from "@outpost/shared-model";
import type { AgentSpec } from "./messages.js";

// Enough to keep the relay busy without queueing a thousand requests on its socket at once.
const CONCURRENCY = 8;

/**
 * Enrolls every agent with our relay (`POST /v1/enroll`), as an agent does on first start, and
 * returns each device's token by device ID. Enrollment comes before the timed part: the
 * benchmark measures a storm of enrolled agents reconnecting, not enrollment.
 */
export async function enrollAgents(
  relayUrl: string,
  enrollmentSecret: string,
  agents: readonly AgentSpec[],
): Promise<Map<string, string>> {
  const tokens = new Map<string, string>();
  let next = 0;
  const worker = async () => {
    while (next < agents.length) {
      const agent = agents[next++] as AgentSpec;
      tokens.set(agent.deviceId, await enroll(relayUrl, enrollmentSecret, agent));
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return tokens;
}

async function enroll(
  relayUrl: string,
  enrollmentSecret: string,
  agent: AgentSpec,
): Promise<string> {
  const body: EnrollRequest = {
    enrollmentSecret,
    deviceId: parseDeviceId(agent.deviceId),
    hostname: `${agent.deviceId}.storm.test`,
    deviceDocUrl: stringifyAutomergeUrl({ documentId: agent.deviceDocumentId as DocumentId }),
  };
  const response = await fetch(`${relayUrl}/v1/enroll`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) {
    throw new Error(
      `enrolling ${agent.deviceId}: HTTP ${response.status} ${await response.text()}`,
    );
  }
  return ((await response.json()) as EnrollResponse).deviceToken;
}
