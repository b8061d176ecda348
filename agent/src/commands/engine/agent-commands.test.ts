import { DEFAULT_POLICY, silentLogger } from "@outpost/shared-model";
import { cleanupAfterEach } from "@outpost/shared-model/testing";
import { afterEach, describe, expect, it, vi } from "vitest";
import { memoryDevice } from "../../testing/memory-device.js";
import type { TrustSource } from "../../trust/trust-status.js";
import { ALL_KINDS } from "../kinds/all.js";
import { FakeSystem } from "../kinds/testing/kind-contract.js";
import { AgentCommands } from "./agent-commands.js";

const cleanup = cleanupAfterEach();
afterEach(() => {
  vi.useRealTimers();
});

/**
 * Started commands over an in-memory DeviceDoc, with `evaluate` replaced by a spy once started:
 * what the test watches is when the queue would be re-planned, not the plan.
 */
async function startCommands() {
  const { folder, repo, device, store, deviceId } = await memoryDevice(cleanup, "agent-commands");
  // Still learning its root: enough here, where what is watched is when a plan would be made.
  const trustListeners = new Set<() => void>();
  const trust: TrustSource = {
    status: { kind: "awaiting" },
    onChange: (listener) => {
      trustListeners.add(listener);
      return () => trustListeners.delete(listener);
    },
  };
  const trustChanged = () => {
    for (const listener of trustListeners) listener();
  };
  const commands = new AgentCommands(
    { kinds: ALL_KINDS, system: new FakeSystem(), scriptsFolder: folder },
    {
      device,
      repo,
      now: Date.now,
      deviceId,
      refreshInventory: async () => ({ changed: false }),
      store,
      logger: silentLogger,
      isStopping: () => false,
      audit: () => {},
      policy: () => DEFAULT_POLICY,
      trust,
      dataDirectory: folder,
    },
  );
  const listenersBefore = device.listenerCount("change");
  await commands.start();
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
  const evaluate = vi.spyOn(commands, "evaluate").mockResolvedValue();
  const edit = () =>
    device.change((doc) => {
      doc.asset.notes = `edited ${Math.random()}`;
    });
  return { commands, device, evaluate, edit, listenersBefore, trustChanged, trustListeners };
}

describe("AgentCommands", () => {
  it("re-plans once shortly after DeviceDoc changes, however many arrive together", async () => {
    const { commands, evaluate, edit } = await startCommands();
    edit();
    edit();
    vi.advanceTimersByTime(1_000);
    expect(evaluate).toHaveBeenCalledTimes(1);
    await commands.stop();
  });

  it("re-plans when its trust changes (a root pinned, a key revoked), until it stops", async () => {
    const { commands, evaluate, trustChanged, trustListeners } = await startCommands();
    trustChanged();
    vi.advanceTimersByTime(1_000);
    expect(evaluate).toHaveBeenCalledTimes(1);
    await commands.stop();
    expect(trustListeners.size).toBe(0);
  });

  it("stops listening to the DeviceDoc when it stops: a later change re-plans nothing", async () => {
    const { commands, device, evaluate, edit, listenersBefore } = await startCommands();
    expect(device.listenerCount("change")).toBe(listenersBefore + 1);
    await commands.stop();
    expect(device.listenerCount("change")).toBe(listenersBefore);
    edit();
    vi.advanceTimersByTime(1_000);
    expect(evaluate).not.toHaveBeenCalled();
  });
});
