import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { cleanupAfterEach } from "@outpost/shared-model/testing";
import { describe, expect, it } from "vitest";
import { startTestAgent } from "../testing/test-agent.js";
import { AgentStateStore, STATE_FILE, StateFileError } from "./agent-state.js";

const cleanup = cleanupAfterEach();

describe("the agent's state file", () => {
  it("is created on first run and read back unchanged", async () => {
    const folder = await cleanup.tempFolder("state");
    const agent = await startTestAgent({
      dataDirectory: folder,
      relayUrl: "http://127.0.0.1:9",
    });
    await agent.stop();
    const state = await AgentStateStore.read(folder);
    expect(state).toMatchObject({
      version: 1,
      deviceId: agent.deviceId,
      deviceDocUrl: agent.device.url,
    });
  });

  it("a damaged file stops the start with the file and field, and is left as it was", async () => {
    const folder = await cleanup.tempFolder("state-bad");
    const path = join(folder, STATE_FILE);
    const damaged = JSON.stringify({
      version: 1,
      deviceId: "../etc",
      deviceDocUrl: "x",
      createdAt: 1,
      days: {},
    });
    await writeFile(path, damaged);
    const start = startTestAgent({ dataDirectory: folder, relayUrl: "http://127.0.0.1:9" });
    await expect(start).rejects.toThrow(StateFileError);
    await expect(start).rejects.toThrow(`${path}: deviceId: expected a device ID; deviceDocUrl:`);
    expect(await readFile(path, "utf8")).toBe(damaged);

    await writeFile(path, "{ torn");
    await expect(AgentStateStore.read(folder)).rejects.toThrow(`${path}: not JSON`);
  });
});
