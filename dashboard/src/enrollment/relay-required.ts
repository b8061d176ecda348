import type { ConnectionStatus } from "../primitives/create-connection-status.js";

/**
 * Why an action that only the relay can do (revoke or remove a device, decide on a
 * re-enrollment, make or revoke an enrollment token) cannot be done now, in the words shown beside
 * its button; `undefined` while the relay is reachable. Unlike edits to documents, these do not
 * wait in this browser for the connection: an admin must know at once whether a device is cut off.
 */
export function whyRelayUnavailable(status: ConnectionStatus): string | undefined {
  switch (status.kind) {
    case "online":
    case "syncing":
      return undefined;
    case "connecting":
      return "Connecting to the relay: this needs the relay, wait until the header says Online";
    case "offline":
      return `Offline (${status.reason}): this needs the relay, and works again once the header says Online`;
    case "unauthorized":
      return `The relay refused this session's token (${status.reason}): sign out and in with a valid admin token`;
  }
}
