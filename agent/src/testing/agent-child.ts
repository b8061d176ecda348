import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { LogLine } from "@outpost/shared-model/testing";

const AGENT_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CLI = fileURLToPath(new URL("../cli/main.ts", import.meta.url));

/** A running `outpost-agent` child process and its log as it arrives. */
export interface AgentProcess {
  child: ChildProcess;
  /** Every pino line so far (stderr), parsed. */
  lines: LogLine[];
  /** Resolves with the first line, from now or already seen, that `matches`. */
  waitForLine(
    matches: (line: LogLine) => boolean,
    what: string,
    timeoutMs?: number,
  ): Promise<LogLine>;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Runs `outpost-agent <args>` from source (`node --import tsx`) with extra environment, parsing
 * its JSON log lines from stderr.
 */
export function spawnAgent(args: string[], env: Record<string, string> = {}): AgentProcess {
  const child = spawn(process.execPath, ["--import", "tsx", CLI, ...args], {
    cwd: AGENT_ROOT,
    env: { ...process.env, INIT_CWD: "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: LogLine[] = [];
  const waiters = new Set<() => void>();
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on("line", (text) => {
    try {
      lines.push(JSON.parse(text) as LogLine);
    } catch {
      lines.push({ level: 0, msg: text });
    }
    for (const wake of waiters) wake();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("close", (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    lines,
    exited,
    waitForLine(matches, what, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        let seen = 0;
        const check = () => {
          while (seen < lines.length) {
            const line = lines[seen++] as LogLine;
            if (!matches(line)) continue;
            cleanup();
            resolve(line);
            return;
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`agent: no ${what} within ${timeoutMs} ms; log:\n${tail(lines)}`));
        }, timeoutMs);
        const onExit = () => {
          cleanup();
          reject(new Error(`agent exited before ${what}; log:\n${tail(lines)}`));
        };
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
          child.off("close", onExit);
        };
        waiters.add(check);
        child.once("close", onExit);
        check();
      });
    },
  };
}

/** How an `outpost-agent` command that ran to its end went. */
export interface AgentCliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `outpost-agent <args>` from source to its end and returns its exit code and output. */
export function runAgentCli(...args: string[]): Promise<AgentCliResult> {
  return promisify(execFile)(process.execPath, ["--import", "tsx", CLI, ...args], {
    cwd: AGENT_ROOT,
    env: { ...process.env, INIT_CWD: "" },
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: AgentCliResult) => error,
  );
}

function tail(lines: readonly LogLine[]): string {
  return lines
    .slice(-15)
    .map((line) => JSON.stringify(line))
    .join("\n");
}
