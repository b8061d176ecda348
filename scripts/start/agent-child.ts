import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const AGENT_ROOT = fileURLToPath(new URL("../../agent", import.meta.url));
const CLI = fileURLToPath(new URL("../../agent/src/cli/main.ts", import.meta.url));

/** The local agent, a child process, its JSON log turned into readable lines. */
export interface AgentChild {
  child: ChildProcess;
  /** Resolves with the exit code once the agent has stopped. */
  exited: Promise<number | null>;
  /** SIGTERM (the agent flushes everything and exits 0) and wait. */
  stop(): Promise<number | null>;
}

/** Starts `outpost-agent run --config FILE` from source, printing its log through `print`. */
export function startAgentChild(
  config: string,
  print: (line: string) => void,
  env: Record<string, string> = {},
): AgentChild {
  const child = spawn(process.execPath, ["--import", "tsx", CLI, "run", "--config", config], {
    cwd: AGENT_ROOT,
    // npm's INIT_CWD would move the agent's working folder; the config path is absolute anyway.
    env: { ...process.env, INIT_CWD: "", ...env },
    stdio: ["ignore", "inherit", "pipe"],
  });
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on("line", (text) => {
    try {
      const record = JSON.parse(text) as { level?: number; msg?: string };
      const mark =
        (record.level ?? 30) >= 50 ? "error: " : (record.level ?? 30) >= 40 ? "warning: " : "";
      print(`agent: ${mark}${record.msg ?? text}`);
    } catch {
      print(`agent: ${text}`);
    }
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once("close", (code) => resolve(code)),
  );
  return {
    child,
    exited,
    stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      return exited;
    },
  };
}
