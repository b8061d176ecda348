import type { ConnectionState, Logger } from "@outpost/shared-model";

/**
 * A state listener that logs each change of the relay connection's state once: a relay down for
 * three days is one line, not thousands; the same failure again is only debug. A revoked token
 * shows first as a 4001 close, then as a 401 on every retry: one error.
 */
export function logConnectionStates(logger: Logger): (state: ConnectionState) => void {
  /** The last state logged (kind and reason), so a repeated failure is not logged again. */
  let lastReported: string | undefined;
  return (state) => {
    if (state.kind === "connecting") return;
    const key =
      "reason" in state && state.kind !== "unauthorized"
        ? `${state.kind}: ${state.reason}`
        : state.kind;
    if (key === lastReported) {
      logger.debug({ state }, `still ${key}`);
      return;
    }
    lastReported = key;
    if (state.kind === "connected") {
      logger.info({ relayPeerId: state.relayPeerId }, "connected to the relay");
    } else if (state.kind === "unauthorized") {
      logger.error({ reason: state.reason }, `${state.reason}; retrying with backoff`);
    } else if (state.kind === "offline") {
      logger.warn({ reason: state.reason }, `relay unreachable: ${state.reason}; retrying`);
    } else {
      logger.info("disconnected from the relay");
    }
  };
}
