import type { CommandResult, ServiceHost } from "../service-host.js";

/**
 * A machine that records what an installer does to it: files written and removed, commands run
 * (answered by `answers`, keyed by the command line). No test installs a real service.
 */
export class FakeServiceHost implements ServiceHost {
  readonly files = new Map<string, { text: string; mode: number }>();
  readonly directories = new Set<string>();
  readonly owners = new Map<string, string>();
  /** Modes set by {@link giveTo}, by path. */
  readonly modes = new Map<string, number>();
  readonly commands: string[] = [];
  readonly removed: string[] = [];

  constructor(
    readonly platform: NodeJS.Platform,
    private readonly options: {
      admin?: boolean;
      existing?: string[];
      answers?: Record<string, Partial<CommandResult>>;
    } = {},
  ) {
    for (const path of options.existing ?? []) this.directories.add(path);
  }

  isAdmin(): boolean {
    return this.options.admin ?? true;
  }

  async run(command: string, args: readonly string[]): Promise<CommandResult> {
    const line = [command, ...args].join(" ");
    this.commands.push(line);
    const answer = this.options.answers?.[line] ?? {};
    return { code: answer.code ?? 0, stdout: answer.stdout ?? "", stderr: answer.stderr ?? "" };
  }

  async exists(path: string): Promise<boolean> {
    return this.files.has(path) || this.directories.has(path);
  }

  async readText(path: string): Promise<string | undefined> {
    return this.files.get(path)?.text;
  }

  async writeText(path: string, text: string, mode: number): Promise<void> {
    this.files.set(path, { text, mode });
  }

  async makeDirectory(path: string): Promise<void> {
    this.directories.add(path);
  }

  async giveTo(path: string, user: string, mode?: number): Promise<void> {
    this.owners.set(path, user);
    if (mode !== undefined) this.modes.set(path, mode);
  }

  async remove(path: string): Promise<void> {
    this.files.delete(path);
    this.directories.delete(path);
    this.removed.push(path);
  }
}
