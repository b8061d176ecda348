import type { JSX } from "solid-js";
import type { ConnectionStatus } from "../primitives/create-connection-status.js";

const LABELS = {
  online: "Online",
  syncing: "Syncing…",
  connecting: "Connecting…",
  offline: "Offline",
  unauthorized: "Token refused",
} as const;

/**
 * The relay link at a glance (online, syncing, offline) and how many documents hold changes the
 * relay has not stored yet. Announced politely to screen readers when it changes.
 */
export function SyncIndicator(props: {
  status: ConnectionStatus;
  pendingCount: number;
  /** A local change is still being written to this browser's storage. */
  saving: boolean;
}): JSX.Element {
  const detail = () => {
    const status = props.status;
    if (status.kind === "offline") return `${status.reason}; working from this browser's copy`;
    if (status.kind === "unauthorized")
      return `${status.reason}; sign out and in with a valid token`;
    return props.pendingCount > 0
      ? `${props.pendingCount} document(s) with changes the relay has not stored yet`
      : "every change here is stored on the relay";
  };
  return (
    <div
      class="sync"
      data-status={props.status.kind}
      role="status"
      aria-live="polite"
      title={detail()}
    >
      <span class="dot" aria-hidden="true" />
      <span class="label">{LABELS[props.status.kind]}</span>
      <span class="pending" data-count={props.pendingCount} data-saving={props.saving}>
        {props.saving
          ? "saving…"
          : props.pendingCount > 0
            ? `${props.pendingCount} not on relay`
            : "all stored"}
      </span>
    </div>
  );
}
