import { createDeviceDoc, parseDeviceId } from "@outpost/shared-model";
import { eventually } from "@outpost/shared-model/testing";
import { cleanup, render, screen } from "@solidjs/testing-library";
import { afterEach, describe, expect, it } from "vitest";
import { ProvideReplica, useReplica } from "../app/replica-context.js";
import {
  type ConnectionStatus,
  createConnectionStatus,
} from "../primitives/create-connection-status.js";
import { createPending, createSaving } from "../primitives/create-pending.js";
import { makeTestReplica } from "../testing/test-replica.js";
import { SyncIndicator } from "./SyncIndicator.js";

afterEach(cleanup);

function renderIndicator(status: ConnectionStatus, pendingCount = 0, saving = false): HTMLElement {
  render(() => <SyncIndicator status={status} pendingCount={pendingCount} saving={saving} />);
  return screen.getByRole("status");
}

describe("SyncIndicator", () => {
  it.each([
    ["Online", { kind: "online" }],
    ["Syncing…", { kind: "syncing" }],
    ["Connecting…", { kind: "connecting" }],
    ["Offline", { kind: "offline", reason: "cannot reach the relay", retryAt: 0 }],
    ["Token refused", { kind: "unauthorized", reason: "the relay refused the token" }],
  ] as const)("shows %s for %j", (label, status) => {
    const indicator = renderIndicator(status);
    expect(screen.getByText(label)).toBeTruthy();
    expect(indicator.getAttribute("aria-live")).toBe("polite");
  });

  it("counts the documents the relay has not stored, or says all is stored", () => {
    const pending = renderIndicator({ kind: "online" }, 2);
    expect(pending.textContent).toContain("2 not on relay");
    expect(pending.title).toBe("2 document(s) with changes the relay has not stored yet");
    cleanup();

    const stored = renderIndicator({ kind: "online" }, 0);
    expect(stored.textContent).toContain("all stored");
    expect(stored.title).toBe("every change here is stored on the relay");
  });

  it("says saving… while a change is written to this browser", () => {
    const indicator = renderIndicator({ kind: "online" }, 3, true);
    expect(indicator.textContent).toContain("saving…");
    expect(indicator.textContent).not.toContain("not on relay");
  });

  it("explains offline and a refused token in its title", () => {
    const offline = renderIndicator(
      { kind: "offline", reason: "cannot reach the relay", retryAt: 0 },
      1,
    );
    expect(offline.title).toBe("cannot reach the relay; working from this browser's copy");
    cleanup();

    const refused = renderIndicator({ kind: "unauthorized", reason: "token revoked" });
    expect(refused.title).toBe("token revoked; sign out and in with a valid token");
  });

  it("follows the replica as the header wires it: saving, then not on relay, then stored", async () => {
    const replica = makeTestReplica();
    const handle = replica.repo.create(createDeviceDoc(parseDeviceId("laptop-042")));
    const Header = () => {
      const current = useReplica();
      const status = createConnectionStatus(current.connection);
      const pending = createPending(current.pending);
      const saving = createSaving(current);
      return (
        <SyncIndicator status={status()} pendingCount={pending().length} saving={saving() > 0} />
      );
    };
    render(() => (
      <ProvideReplica replica={replica}>
        <Header />
      </ProvideReplica>
    ));
    const indicator = screen.getByRole("status");
    // Never connected: the relay link is still being made.
    expect(indicator.textContent).toContain("Connecting…");
    expect(indicator.textContent).toContain("all stored");

    replica.change(handle, (doc) => {
      doc.asset.location = "Lab 2";
    });
    expect(indicator.textContent).toContain("saving…");
    await eventually(() => expect(indicator.textContent).toContain("1 not on relay"));

    replica.pending.acknowledge(handle, handle.heads());
    expect(indicator.textContent).toContain("all stored");
    await replica.close();
  });
});
