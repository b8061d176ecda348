/**
 * The Keys page over the relay's key registry (as its routes behave, given to the page as its
 * client): approving a pending key with the recovery key, revoking, rotation, and every refusal
 * said plainly.
 */
import {
  type AdminKeyListing,
  exportPublicKey,
  generateSigningKey,
  issueRevocation,
  TrustVerifier,
} from "@outpost/shared-model";
import { eventually, type TestRoot, testRoot } from "@outpost/shared-model/testing";
import { cleanup, fireEvent, render, screen, within } from "@solidjs/testing-library";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { KeyRegistry, registryClient } from "../testing/key-registry.js";
import { makeTestTrust, type TestTrust } from "../testing/test-trust.js";
import { ProvideTrust } from "../trust/trust-context.js";
import { KeysPage } from "./KeysPage.js";
import { approveKey } from "./key-approvals.js";
import type { OwnKey } from "./signing-keys.js";

const NOW = 9_000;

let root: TestRoot;
let registry: KeyRegistry;
let trust: TestTrust;
let bobs: AdminKeyListing;

beforeEach(async () => {
  root = await testRoot();
  registry = new KeyRegistry(root);
  bobs = await registry.register("bob", {
    publicKey: await exportPublicKey((await generateSigningKey()).publicKey),
    label: "Firefox on Windows",
  });
  trust = await makeTestTrust({ root, client: registryClient(registry, "alice") });
});

afterEach(() => {
  cleanup();
});

function renderPage(): void {
  render(() => (
    <ProvideTrust trust={trust}>
      <KeysPage clock={() => NOW} />
    </ProvideTrust>
  ));
}

const rowOf = (keyId: string) =>
  document.querySelector(`tr[data-testid="admin-key"][data-key-id="${keyId}"]`) as HTMLElement;
const paste = (text: string) =>
  fireEvent.input(screen.getByLabelText("Recovery key"), { target: { value: text } });
const recoveryField = () => screen.getByLabelText("Recovery key") as HTMLInputElement;

describe("KeysPage", () => {
  it("shows the fleet's root and every key, and approves a pending key with the recovery key, once", async () => {
    renderPage();
    expect(screen.getByTestId("root-fingerprint").textContent).toBe(root.fleet);
    await eventually(() => expect(rowOf(bobs.keyId)?.dataset.status).toBe("pending"));
    expect(rowOf(bobs.keyId).textContent).toContain("bob");
    expect(rowOf(bobs.keyId).textContent).toContain("Firefox on Windows");
    expect(recoveryField().type).toBe("password");

    paste(root.recoveryKey);
    fireEvent.click(
      within(rowOf(bobs.keyId)).getByRole("button", { name: `Approve bob's key ${bobs.keyId}` }),
    );

    expect((await screen.findByTestId("keys-done")).textContent).toBe(
      `Approved bob's key ${bobs.keyId}: it signs as admin:bob now.`,
    );
    const listed = registry.list().keys.find((key) => key.keyId === bobs.keyId);
    expect(listed).toMatchObject({
      status: "certified",
      certificate: { admin: "bob", publicKey: bobs.publicKey, keyId: bobs.keyId, issuedAt: NOW },
    });
    const verifier = await TrustVerifier.create(root.publicKey);
    expect(await verifier.certificateProblem(listed?.certificate as never)).toBeUndefined();
    await eventually(() => expect(rowOf(bobs.keyId)?.dataset.status).toBe("certified"));
    // Used, then dropped: the field is empty, and nothing of it was kept in storage.
    expect(recoveryField().value).toBe("");
    const privateHalf = root.recoveryKey.split(":")[2] as string;
    for (const storage of [localStorage, sessionStorage]) {
      expect(JSON.stringify({ ...storage })).not.toContain(privateHalf);
    }
  });

  it("refuses another fleet's recovery key and text that is none, and shows the relay's refusals in its words", async () => {
    renderPage();
    await eventually(() => expect(rowOf(bobs.keyId)).toBeTruthy());
    const approve = () =>
      fireEvent.click(within(rowOf(bobs.keyId)).getByRole("button", { name: /^Approve/ }));

    const strangers = await testRoot();
    paste(strangers.recoveryKey);
    approve();
    expect((await screen.findByTestId("keys-error")).textContent).toBe(
      `Approving bob's key ${bobs.keyId}: this recovery key is the root of another fleet (${strangers.fleet}); paste this fleet's`,
    );

    paste("hello");
    approve();
    await eventually(() =>
      expect(screen.getByTestId("keys-error").textContent).toContain("not a usable recovery key"),
    );
    expect(recoveryField().value).toBe("hello");

    // Revoked on the relay since the page listed it: the relay's refusal, as it words it.
    await registry.revoke(await issueRevocation(root.key, { keyId: bobs.keyId, revokedAt: 1 }));
    paste(root.recoveryKey);
    approve();
    await eventually(() =>
      expect(screen.getByTestId("keys-error").textContent).toBe(
        `Approving bob's key ${bobs.keyId}: key ${bobs.keyId} is revoked`,
      ),
    );
    expect(registry.list().keys[0]?.status).toBe("revoked");
  });

  it("revokes a key with its reason", async () => {
    renderPage();
    await eventually(() => expect(rowOf(bobs.keyId)).toBeTruthy());
    paste(root.recoveryKey);
    fireEvent.input(screen.getByLabelText("Reason for a revocation"), {
      target: { value: "laptop stolen" },
    });
    fireEvent.click(within(rowOf(bobs.keyId)).getByRole("button", { name: /^Revoke/ }));
    expect((await screen.findByTestId("keys-done")).textContent).toBe(
      `Revoked bob's key ${bobs.keyId}: agents refuse what it signs from now on.`,
    );
    expect(registry.list().keys[0]).toMatchObject({
      status: "revoked",
      revocation: { keyId: bobs.keyId, revokedAt: NOW, reason: "laptop stolen" },
    });
    await eventually(() => expect(rowOf(bobs.keyId)?.dataset.status).toBe("revoked"));
    expect(within(rowOf(bobs.keyId)).queryByRole("button")).toBeNull();
  });

  it("rotates this browser's key and, once the new one is certified, offers to revoke the old", async () => {
    const rotate = vi.fn(async () => {});
    trust.rotate = rotate;
    const own = async (label: string, createdAt: number): Promise<OwnKey> => {
      const publicKey = await exportPublicKey((await generateSigningKey()).publicKey);
      const listed = await registry.register("alice", { publicKey, label });
      const certificate = await approveKey(
        root.key,
        listed,
        { certify: (c) => registry.certify(c).then(() => {}) },
        createdAt,
      );
      return { ...listed, createdAt, status: "certified", certificate, registered: true };
    };
    const old = await own("Chrome on Linux", 1_000);
    trust.setSigning({ kind: "ready", keys: [old], signer: trust.signer });
    renderPage();

    expect(screen.getByTestId("own-key-id").textContent).toBe(old.keyId);
    expect(screen.queryByTestId("revoke-old-key")).toBeNull();
    fireEvent.click(screen.getByTestId("rotate-key"));
    expect((await screen.findByTestId("keys-done")).textContent).toMatch(
      /^Made a new key for this browser and registered it/,
    );
    expect(rotate).toHaveBeenCalledOnce();

    const fresh = await own("Chrome on Linux", 2_000);
    trust.setSigning({ kind: "ready", keys: [old, fresh], signer: trust.signer });
    expect(screen.getByTestId("own-key-id").textContent).toBe(fresh.keyId);
    paste(root.recoveryKey);
    fireEvent.click(screen.getByTestId("revoke-old-key"));
    expect((await screen.findByTestId("keys-done")).textContent).toBe(
      `Revoked your old key ${old.keyId}: agents refuse what it signs from now on.`,
    );
    expect(registry.list().keys.find((key) => key.keyId === old.keyId)?.status).toBe("revoked");
    expect(registry.list().keys.find((key) => key.keyId === fresh.keyId)?.status).toBe("certified");
  });
});
