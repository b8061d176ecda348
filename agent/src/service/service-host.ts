import { execFile } from "node:child_process";
import { access, chmod, chown, mkdir, readFile, rm, writeFile } from "node:fs/promises";

/** What a command printed and how it ended. */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The machine a service is installed on: its files and its service manager's commands. The
 * installers touch the machine only through this, so their tests run against a fake that records
 * what they would do (no test installs a service on the machine running it).
 */
export interface ServiceHost {
  platform: NodeJS.Platform;
  /** True when running as root / Administrator, which installing needs. */
  isAdmin(): boolean;
  run(command: string, args: readonly string[]): Promise<CommandResult>;
  exists(path: string): Promise<boolean>;
  readText(path: string): Promise<string | undefined>;
  writeText(path: string, text: string, mode: number): Promise<void>;
  makeDirectory(path: string, mode: number): Promise<void>;
  /** Gives `path` to `user` (and its group of the same name), recursively for a folder. */
  giveTo(path: string, user: string, mode?: number): Promise<void>;
  remove(path: string): Promise<void>;
}

/** This machine. */
export const realServiceHost: ServiceHost = {
  platform: process.platform,
  isAdmin: () =>
    process.platform === "win32"
      ? true
      : typeof process.getuid === "function" && process.getuid() === 0,
  run: (command, args) =>
    new Promise((resolve) => {
      execFile(command, [...args], { encoding: "utf8" }, (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : 127;
        resolve({ code, stdout, stderr: stderr || (error && code === 127 ? error.message : "") });
      });
    }),
  exists: (path) =>
    access(path).then(
      () => true,
      () => false,
    ),
  readText: (path) => readFile(path, "utf8").catch(() => undefined),
  writeText: async (path, text, mode) => {
    await writeFile(path, text, { mode });
    await chmod(path, mode);
  },
  makeDirectory: async (path, mode) => {
    await mkdir(path, { recursive: true, mode });
    await chmod(path, mode);
  },
  giveTo: async (path, user, mode) => {
    const id = (await realServiceHost.run("id", ["-u", user])).stdout.trim();
    const group = (await realServiceHost.run("id", ["-g", user])).stdout.trim();
    if (!/^\d+$/.test(id) || !/^\d+$/.test(group)) throw new Error(`no account ${user}`);
    await chown(path, Number(id), Number(group));
    if (mode !== undefined) await chmod(path, mode);
  },
  remove: (path) => rm(path, { recursive: true, force: true }),
};
