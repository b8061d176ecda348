/**
 * Test support: a {@link Trust} for component tests, over a real root key, a real certified
 * admin signer and a real {@link TrustVerifier} (shared-model's `testRoot`), with the signing
 * state in a signal a test may change. Never imported by product code.
 */
import {
  type AdminSigner,
  type FleetTrust,
  type TrustVerifier,
  TrustVerifier as Verifier,
} from "@outpost/shared-model";
import { type TestRoot, testRoot } from "@outpost/shared-model/testing";
import { createSignal, type Setter } from "solid-js";
import type { AdminKeysClient } from "../keys/admin-keys-client.js";
import type { OwnKey, SigningState } from "../keys/signing-keys.js";
import type { Trust } from "../trust/trust-context.js";

/** A test's trust, and what it was made of. */
export interface TestTrust extends Trust {
  root: TestRoot;
  /** A key of the admin certified by {@link root}; what signs while the state is certified. */
  signer: AdminSigner;
  verifierNow: TrustVerifier;
  /** Changes the signing state (a key pending, revoked, …). */
  setSigning: Setter<SigningState>;
  /** Says the verifier learnt something (as a revocation arriving would). */
  bumpLearnt(): void;
}

/** A key of this browser that waits for the root's certificate (the header calls it ab12cd…). */
export const PENDING_KEY: OwnKey = {
  keyId: "ab12cdEFghIJklMNopQRst",
  publicKey: "A".repeat(43),
  label: "Chrome on Linux",
  createdAt: 1_000,
  status: "pending",
  registered: true,
};

/** What the page says while {@link PENDING_KEY} is the admin's only key. */
export const WAITING_FOR_APPROVAL =
  "Your signing key ab12cd… is waiting for approval: commands and policy edits need it";

/** No relay behind this trust: a test of keys gives its own client. */
const NO_RELAY: AdminKeysClient = {
  list: () => Promise.reject(new Error("no relay in this test")),
  register: () => Promise.reject(new Error("no relay in this test")),
  certify: () => Promise.reject(new Error("no relay in this test")),
  revoke: () => Promise.reject(new Error("no relay in this test")),
};

/** A trust whose admin `admin` signs with a certified key (unless the test changes the state). */
export async function makeTestTrust(
  options: { admin?: string; client?: AdminKeysClient; root?: TestRoot } = {},
): Promise<TestTrust> {
  const root = options.root ?? (await testRoot());
  const signer = await root.adminSigner(options.admin ?? "alice");
  const verifierNow = await Verifier.create(root.publicKey);
  const [signing, setSigning] = createSignal<SigningState>({ kind: "ready", keys: [], signer });
  const [learnt, setLearnt] = createSignal(0);
  const fleetTrust: FleetTrust = {
    rootPublicKey: root.publicKey,
    fleet: root.fleet,
    trustDocUrl: "automerge:2j9knpCseyhnK8izDmLpGP5WMdZQ",
  };
  return {
    root,
    signer,
    verifierNow,
    setSigning,
    bumpLearnt: () => setLearnt((count) => count + 1),
    signing,
    verifier: () => verifierNow,
    learnt,
    fleetTrust: () => fleetTrust,
    client: options.client ?? NO_RELAY,
    rotate: async () => {},
    sync: async () => {},
  };
}
