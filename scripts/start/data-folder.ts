import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { writeAgentConfig } from "@outpost/agent";

/** Where `npm start` keeps everything: a relay, an agent, the admin's token, the recovery key. */
export interface StartData {
  root: string;
  relay: string;
  agent: string;
  agentConfig: string;
  /** The admin token `npm start` created on its first run (the relay keeps only its hash). */
  adminTokenFile: string;
  /** The fleet's recovery key `npm start` made on its first run (see fleetRootKey). */
  rootKeyFile: string;
}

/** The default data folder, at the repository's root (git-ignored). */
export const DEFAULT_DATA = ".outpost-data";

/** The layout of a data folder, created if missing. */
export async function startData(folder: string): Promise<StartData> {
  const root = resolve(folder);
  const data: StartData = {
    root,
    relay: join(root, "relay"),
    agent: join(root, "agent"),
    agentConfig: join(root, "agent", "agent.toml"),
    adminTokenFile: join(root, "admin-token"),
    rootKeyFile: join(root, "root-recovery-key"),
  };
  await mkdir(data.relay, { recursive: true });
  await mkdir(data.agent, { recursive: true });
  return data;
}

/** The admin token saved by an earlier run, if any. */
export async function savedAdminToken(data: StartData): Promise<string | undefined> {
  const text = await readFile(data.adminTokenFile, "utf8").catch(() => undefined);
  return text?.trim() || undefined;
}

/** Saves the admin token for the next run, readable by this user only. */
export async function saveAdminToken(data: StartData, token: string): Promise<void> {
  await writeFile(data.adminTokenFile, `${token}\n`, { mode: 0o600 });
}

/** Writes the local agent's config (its data folder next to it; the secret until it enrolls). */
export function writeLocalAgentConfig(
  data: StartData,
  options: { relayUrl: string; enrollmentSecret: string },
): Promise<void> {
  return writeAgentConfig(
    data.agentConfig,
    { relay_url: options.relayUrl, enrollment_secret: options.enrollmentSecret, data: "data" },
    {
      header: [
        "Written by `npm start` on each run; see agent/agent.example.toml for every setting.",
      ],
    },
  );
}
