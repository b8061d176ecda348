import type { EnrollmentTokenSummary, PendingEnrollmentSummary } from "@outpost/shared-model";
import { messageOf } from "@outpost/shared-model";
import { createSignal, type JSX, onCleanup, Show } from "solid-js";
import { AddDeviceDialog } from "./AddDeviceDialog.js";
import { createRelayList } from "./create-relay-list.js";
import { DecisionDialog } from "./DecisionDialog.js";
import type { DevicesClient } from "./devices-client.js";
import { ListState } from "./ListState.js";
import { PendingRequests } from "./PendingRequests.js";
import { TokenList } from "./TokenList.js";

/** How often the lists are asked again while the page is open: requests come in on their own. */
const REFRESH_MS = 10_000;

/**
 * The Enrollment page: re-enrollment requests to approve or deny, the one-time enrollment tokens
 * (revoke one not used yet), and "Add a device", which makes a token and shows its install
 * commands. Everything here is the relay's (nothing is in a document this browser holds), so it
 * needs the relay: without it the lists show what they last had and the buttons say why not.
 */
export function EnrollmentPage(props: {
  client: DevicesClient;
  /** Why the relay cannot be asked now; `undefined` while it can. */
  relayUnavailable: string | undefined;
  clock?: () => number;
}): JSX.Element {
  const clock = props.clock ?? Date.now;
  const [asked, setAsked] = createSignal(0);
  const [showDecided, setShowDecided] = createSignal(false);
  const [now, setNow] = createSignal(clock());
  // Asked again, and "usable until" checked against the time again, while the page is open.
  const timer = setInterval(() => {
    setNow(clock());
    setAsked((count) => count + 1);
  }, REFRESH_MS);
  onCleanup(() => clearInterval(timer));
  // Asked again after each action, on the timer, and when the relay comes back.
  const trigger = () => ({ asked: asked(), back: props.relayUnavailable === undefined });
  const requests = createRelayList(
    () => props.client.pendingEnrollments({ all: showDecided() }),
    () => ({ ...trigger(), all: showDecided() }),
  );
  const tokens = createRelayList(() => props.client.enrollmentTokens(), trigger);
  const [busy, setBusy] = createSignal(false);
  const [done, setDone] = createSignal<string>();
  const [problem, setProblem] = createSignal<string>();
  const [deciding, setDeciding] = createSignal<{
    request: PendingEnrollmentSummary;
    decision: "approve" | "deny";
  }>();
  const [adding, setAdding] = createSignal(false);
  const disabled = () => (busy() ? "Another action is running" : props.relayUnavailable);

  /** Runs `action` as its own step: one at a time, its outcome or failure said once. */
  const step = async (label: string, action: () => Promise<string>) => {
    setProblem(undefined);
    setDone(undefined);
    setBusy(true);
    try {
      setDone(await action());
    } catch (failure) {
      setProblem(`${label}: ${messageOf(failure)}`);
    } finally {
      setBusy(false);
      setDeciding(undefined);
      setNow(clock());
      setAsked((count) => count + 1);
    }
  };
  const decide = ({ request, decision }: NonNullable<ReturnType<typeof deciding>>) =>
    void step(
      `${decision === "approve" ? "Approving" : "Denying"} request ${request.requestId}`,
      async () => {
        await props.client.decide(request.requestId, decision);
        return decision === "approve"
          ? `Approved request ${request.requestId}: ${request.deviceId} enrolls from ${request.remoteAddress} when its agent asks again.`
          : `Denied request ${request.requestId}: the enrolled ${request.deviceId} keeps its token.`;
      },
    );
  const revokeToken = (token: EnrollmentTokenSummary) =>
    void step(`Revoking enrollment token ${token.tokenId}`, async () => {
      await props.client.revokeToken(token.tokenId);
      return `Revoked enrollment token ${token.tokenId}: it enrolls nothing now.`;
    });

  return (
    <section class="enrollment-page" aria-labelledby="enrollment-title">
      <div class="page-head">
        <h1 id="enrollment-title">Enrollment</h1>
        <p class="muted">
          Devices join with a one-time token made here (or on the relay's CLI), or with the fleet's
          shared secret for new device IDs. A known device ID enrolling with the secret waits here
          for an admin: it never replaces a device on its own.
        </p>
        <div class="actions">
          <button
            type="button"
            disabled={props.relayUnavailable !== undefined}
            title={props.relayUnavailable}
            onClick={() => setAdding(true)}
          >
            Add a device
          </button>
          <button type="button" class="secondary" onClick={() => setAsked((count) => count + 1)}>
            Refresh
          </button>
        </div>
        <Show when={props.relayUnavailable}>
          {(why) => (
            <p class="hint" data-testid="enrollment-unavailable">
              {why()}
            </p>
          )}
        </Show>
      </div>
      <Show when={done()}>
        {(text) => (
          <p class="done" role="status" data-testid="enrollment-done">
            {text()}
          </p>
        )}
      </Show>
      <Show when={problem()}>
        {(text) => (
          <p class="error" role="alert" data-testid="enrollment-error">
            {text()}
          </p>
        )}
      </Show>
      <section class="card wide" aria-labelledby="requests-title">
        <div class="section-head">
          <h2 id="requests-title">Re-enrollment requests</h2>
          <label class="check">
            <input
              type="checkbox"
              checked={showDecided()}
              onChange={(event) => setShowDecided(event.currentTarget.checked)}
            />
            Decided and expired ones too
          </label>
        </div>
        <ListState problem={requests.problem()} loaded={requests.items() !== undefined} />
        <Show when={requests.items()}>
          {(items) => (
            <PendingRequests
              requests={items()}
              disabled={disabled()}
              onDecide={(request, decision) => setDeciding({ request, decision })}
            />
          )}
        </Show>
      </section>
      <section class="card wide" aria-labelledby="tokens-title">
        <h2 id="tokens-title">Enrollment tokens</h2>
        <ListState problem={tokens.problem()} loaded={tokens.items() !== undefined} />
        <Show when={tokens.items()}>
          {(items) => (
            <TokenList tokens={items()} now={now()} disabled={disabled()} onRevoke={revokeToken} />
          )}
        </Show>
      </section>
      <Show when={deciding()} keyed>
        {(pending) => (
          <DecisionDialog
            {...pending}
            busy={busy()}
            onConfirm={() => decide(pending)}
            onCancel={() => setDeciding(undefined)}
          />
        )}
      </Show>
      <Show when={adding()}>
        <AddDeviceDialog
          onCreate={props.client.createToken}
          unavailable={props.relayUnavailable}
          onClose={() => {
            setAdding(false);
            setNow(clock());
            setAsked((count) => count + 1);
          }}
        />
      </Show>
    </section>
  );
}
