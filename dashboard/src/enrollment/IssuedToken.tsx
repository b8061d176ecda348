import type { EnrollmentTokenIssued } from "@outpost/shared-model";
import { type JSX, Show } from "solid-js";
import { CopyButton } from "../ui/CopyButton.js";
import { formatTime } from "../ui/format.js";
import { agentBundleUrl } from "./token-status.js";

/**
 * A token just made, as the admin hands it on: the one-line install commands for Linux and macOS
 * and for Windows, each with a copy button; the fleet's root key fingerprint they pin, for the
 * operator to check; the expiry; the agent archive to download. The token exists in clear only
 * here: the relay keeps its hash.
 */
export function IssuedToken(props: { issued: EnrollmentTokenIssued }): JSX.Element {
  return (
    <div class="issued-token" data-testid="issued-token" data-token-id={props.issued.tokenId}>
      <p>
        One-time token <code>{props.issued.tokenId}</code> for{" "}
        {props.issued.deviceId === undefined ? (
          "any new device"
        ) : (
          <>
            the device <code>{props.issued.deviceId}</code> (it replaces the one enrolled under that
            ID)
          </>
        )}
        , usable once until{" "}
        <strong data-testid="token-expiry">{formatTime(props.issued.expiresAt)}</strong>. Shown this
        once: copy the command now.
      </p>
      <h3>Linux and macOS (as a user who may sudo)</h3>
      <pre>
        <code data-testid="install-shell">{props.issued.install.shell}</code>
      </pre>
      <CopyButton text={props.issued.install.shell} label="Copy the Linux and macOS command" />
      <h3>Windows (PowerShell as Administrator)</h3>
      <pre>
        <code data-testid="install-powershell">{props.issued.install.powershell}</code>
      </pre>
      <CopyButton text={props.issued.install.powershell} label="Copy the Windows command" />
      <h3>Check before running it</h3>
      <Show
        when={props.issued.rootKeyFingerprint}
        fallback={
          <p class="error" role="alert">
            This relay has no root key yet: agents cannot enroll until its operator runs
            "outpost-relay root init".
          </p>
        }
      >
        {(fingerprint) => (
          <p>
            Fleet root key <code data-testid="token-fingerprint">{fingerprint()}</code>: the command
            pins it, and the agent refuses a relay that names another. It is the fingerprint on the
            Keys page and in <code>outpost-relay root show</code>.
          </p>
        )}
      </Show>
      <p>
        The script downloads the agent from the relay and checks its SHA-256:{" "}
        <a href={agentBundleUrl(props.issued.relayUrl)} download="outpost-agent.tar.gz">
          agent bundle
        </a>{" "}
        (for installing by hand, docs/AGENT-INSTALL.md).
      </p>
    </div>
  );
}
