import type { InstallCommands } from "@outpost/shared-model";

/** What an install command carries to a new device (docs/AGENT-INSTALL.md, "One-line install"). */
export interface InstallSettings {
  /** The relay's address as devices reach it, without a path. */
  relayUrl: string;
  /** A one-time enrollment token. */
  token: string;
  /** The fleet's root key fingerprint, `SHA256:…`, once the relay has a root key. */
  rootKeyFingerprint?: string;
  /** The device ID the token was made for: the new agent takes that ID. */
  deviceId?: string;
}

/**
 * The one-line install commands for Linux and macOS (`sh`) and Windows PowerShell. Each downloads
 * the relay's install script and runs it with the relay's address, the token and the fingerprint;
 * the script downloads the agent from the relay, checks its SHA-256, writes the config and
 * installs the service.
 */
export function installCommands(settings: InstallSettings): InstallCommands {
  const base = settings.relayUrl.replace(/\/+$/, "");
  const shellArguments = [
    ["--relay", base],
    ["--token", settings.token],
    ...(settings.rootKeyFingerprint ? [["--root-fingerprint", settings.rootKeyFingerprint]] : []),
    ...(settings.deviceId ? [["--device-id", settings.deviceId]] : []),
  ];
  const powershellArguments = [
    ["-Relay", base],
    ["-Token", settings.token],
    ...(settings.rootKeyFingerprint ? [["-RootFingerprint", settings.rootKeyFingerprint]] : []),
    ...(settings.deviceId ? [["-DeviceId", settings.deviceId]] : []),
  ];
  const shellFlags = shellArguments.map(([flag, value]) => `${flag} ${shellQuote(value ?? "")}`);
  const powershellFlags = powershellArguments.map(
    ([flag, value]) => `${flag} ${powershellQuote(value ?? "")}`,
  );
  return {
    shell: `curl -fsSL ${shellQuote(`${base}/v1/agent/install.sh`)} | sudo sh -s -- ${shellFlags.join(" ")}`,
    // Windows PowerShell 5.1 may default to TLS 1.0, which relays and proxies refuse.
    powershell:
      "[Net.ServicePointManager]::SecurityProtocol = [Net.SecurityProtocolType]::Tls12; " +
      `& ([scriptblock]::Create((Invoke-RestMethod ${powershellQuote(`${base}/v1/agent/install.ps1`)}))) ${powershellFlags.join(" ")}`,
  };
}

/** A POSIX shell word: single quotes, each `'` written as `'\''`. */
function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** A PowerShell verbatim string: single quotes, each `'` doubled. */
function powershellQuote(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
