import type { SigningState } from "./signing-keys.js";

/** A key ID as the header names it: its first characters, enough to tell keys apart at a glance. */
export function shortKeyId(keyId: string): string {
  return `${keyId.slice(0, 6)}…`;
}

/**
 * Why the signed-in admin cannot sign now, in the words the page shows beside every control that
 * needs a signature (enqueue, cancel, retry, priority, policy); `undefined` when a certified key
 * signs.
 */
export function whyCannotSign(state: SigningState): string | undefined {
  switch (state.kind) {
    case "starting":
      return "Your signing key is loading";
    case "unavailable":
      return state.reason;
    case "ready": {
      if (state.signer !== undefined) return undefined;
      const newest = state.keys.at(-1);
      if (newest === undefined) return "This browser has no signing key";
      if (newest.status === "revoked") {
        return `Your signing key ${shortKeyId(newest.keyId)} was revoked: make a new one on the Keys page; commands and policy edits need a certified key`;
      }
      const unregistered = newest.registered
        ? ""
        : ` (not registered with the relay yet${state.problem ? `: ${state.problem}` : ""})`;
      return `Your signing key ${shortKeyId(newest.keyId)} is waiting for approval${unregistered}: commands and policy edits need it`;
    }
  }
}
