import { type AdminKeyListing, messageOf, type RootKey } from "@outpost/shared-model";
import { createMemo, createResource, createSignal, type JSX, Show } from "solid-js";
import { useTrust } from "../trust/trust-context.js";
import { KeyList } from "./KeyList.js";
import { approveKey, openFleetRoot, revokeKey } from "./key-approvals.js";
import { OwnKeyPanel } from "./OwnKeyPanel.js";
import type { OwnKey } from "./signing-keys.js";

/**
 * The Keys page: the fleet's root fingerprint, every admin key the relay knows, this browser's
 * key (and rotating it), and, for whoever holds the recovery key, approving and revoking keys.
 * The recovery key is pasted here, opened in the page for one action, and dropped: never stored,
 * never sent. The relay's refusals are shown in its own words.
 */
export function KeysPage(props: { clock?: () => number }): JSX.Element {
  const trust = useTrust();
  const clock = props.clock ?? Date.now;
  const [asked, setAsked] = createSignal(0);
  // Never rejects: a resource that did would throw where it is read.
  const [answer] = createResource(
    () => ({ asked: asked(), learnt: trust.learnt() }),
    async () => {
      try {
        return { list: await trust.client.list() };
      } catch (failure) {
        return { problem: messageOf(failure) };
      }
    },
  );
  const list = () => answer.latest?.list;
  const [recoveryKey, setRecoveryKey] = createSignal("");
  const [reason, setReason] = createSignal("");
  const [busy, setBusy] = createSignal(false);
  const [problem, setProblem] = createSignal<string>();
  const [done, setDone] = createSignal<string>();
  const ownKeys = createMemo((): readonly OwnKey[] => {
    const signing = trust.signing();
    return signing.kind === "ready" ? signing.keys : [];
  });
  const ownKeyIds = createMemo(() => new Set(ownKeys().map((key) => key.keyId)));
  const keys = () => list()?.keys ?? [];
  const pinned = () => trust.fleetTrust();
  const rootMismatch = () => {
    const relays = list();
    const root = pinned();
    return relays && root && relays.rootPublicKey !== root.rootPublicKey
      ? `The relay's key list names the root ${relays.fleet}, not ${root.fleet} as at sign-in: do not approve anything here, and ask who runs the relay`
      : undefined;
  };

  /** Runs `action` as its own step: one at a time, its outcome or failure said once. */
  const step = async (label: string, action: () => Promise<string>) => {
    setProblem(undefined);
    setDone(undefined);
    setBusy(true);
    try {
      setDone(await action());
      await trust.sync();
      setAsked((count) => count + 1);
    } catch (failure) {
      setProblem(`${label}: ${messageOf(failure)}`);
    } finally {
      setBusy(false);
    }
  };
  /** Opens the pasted recovery key for one action; on success the field is emptied. */
  const withRoot = (label: string, action: (root: RootKey) => Promise<string>) =>
    step(label, async () => {
      const root = pinned();
      if (root === undefined) throw new Error("this relay named no root key at sign-in");
      if (rootMismatch()) throw new Error(rootMismatch());
      if (recoveryKey().trim() === "") {
        throw new Error("paste the recovery key first (it starts with outpost-root-v1:)");
      }
      const message = await action(await openFleetRoot(recoveryKey(), root.rootPublicKey));
      setRecoveryKey("");
      return message;
    });
  const approve = (key: AdminKeyListing) =>
    void withRoot(`Approving ${key.admin}'s key ${key.keyId}`, async (root) => {
      await approveKey(root, key, trust.client, clock());
      return `Approved ${key.admin}'s key ${key.keyId}: it signs as admin:${key.admin} now.`;
    });
  /** `whose`: "alice's", or "your old" for this browser's own. */
  const revoke = (keyId: string, whose: string) =>
    void withRoot(`Revoking ${whose} key ${keyId}`, async (root) => {
      await revokeKey(root, keyId, trust.client, clock(), reason());
      setReason("");
      return `Revoked ${whose} key ${keyId}: agents refuse what it signs from now on.`;
    });

  return (
    <section class="keys-page" aria-labelledby="keys-title">
      <div class="page-head">
        <h1 id="keys-title">Admin keys</h1>
        <p class="summary">
          Fleet root{" "}
          <code data-testid="root-fingerprint">
            {pinned()?.fleet ?? "none: this relay has no root key"}
          </code>
        </p>
        <p class="muted">
          Agents run only what an admin key signed that this root certified. Check a pending key's
          ID with its admin before approving it: their dashboard shows it at the top.
        </p>
      </div>
      <Show when={rootMismatch()}>
        {(text) => (
          <p class="error" role="alert">
            {text()}
          </p>
        )}
      </Show>
      <OwnKeyPanel
        keys={ownKeys()}
        busy={busy()}
        onRotate={() =>
          void step("Making a new key", async () => {
            await trust.rotate();
            return "Made a new key for this browser and registered it: it signs once the root approves it; until then your current key signs.";
          })
        }
        onRevokeOld={(key) => revoke(key.keyId, "your old")}
      />
      <section class="card wide" aria-labelledby="recovery-title">
        <h2 id="recovery-title">Approve and revoke (recovery key holder)</h2>
        <div class="form-grid">
          <label for="recovery-key">Recovery key</label>
          <div>
            <input
              id="recovery-key"
              type="password"
              autocomplete="off"
              spellcheck={false}
              value={recoveryKey()}
              onInput={(event) => setRecoveryKey(event.currentTarget.value)}
            />
            <span class="hint">
              Used in this page for one approval or revocation, then forgotten; never stored, never
              sent to the relay.
            </span>
          </div>
          <label for="revoke-reason">Reason for a revocation</label>
          <input
            id="revoke-reason"
            value={reason()}
            onInput={(event) => setReason(event.currentTarget.value)}
          />
        </div>
      </section>
      <Show when={done()}>
        <p class="done" role="status" data-testid="keys-done">
          {done()}
        </p>
      </Show>
      <Show when={problem()}>
        <p class="error" role="alert" data-testid="keys-error">
          {problem()}
        </p>
      </Show>
      <section class="card wide" aria-labelledby="key-list-title">
        <h2 id="key-list-title">Every admin key</h2>
        <Show when={answer.latest?.problem}>
          {(text) => (
            <p class="error" role="alert" data-testid="keys-list-error">
              Cannot list the keys: {text()}
            </p>
          )}
        </Show>
        <Show
          when={list()}
          fallback={answer.latest?.problem ? null : <p class="muted">Asking the relay…</p>}
        >
          <KeyList
            keys={keys()}
            ownKeyIds={ownKeyIds()}
            busy={busy()}
            onApprove={approve}
            onRevoke={(key) => revoke(key.keyId, `${key.admin}'s`)}
          />
        </Show>
      </section>
    </section>
  );
}
