import { type CommandKind, outcomeOf, stringArg } from "../command-kind.js";

/** `shell.run`: an arbitrary shell command, refused unless the device policy allows it. */
export const shellRunKind: CommandKind = {
  name: "shell.run",
  defaults: { timeoutS: 600, idempotent: false, interruptible: true, disruptive: false },
  validate: async (args, context) => {
    if (!context.policy.allowShell) {
      return "shell.run is not allowed on this device (its policy has allowShell off)";
    }
    const command = stringArg(args, "command");
    return "problem" in command ? command.problem : undefined;
  },
  run: async (args, context, signal) => {
    const command = stringArg(args, "command");
    if (!context.policy.allowShell || "problem" in command) {
      return {
        exitCode: null,
        durationMs: 0,
        error: "refused: shell.run is not allowed or has no command",
      };
    }
    const [shell, flag] = process.platform === "win32" ? ["cmd.exe", "/c"] : ["/bin/sh", "-c"];
    return outcomeOf(
      await context.runProcess(shell, [flag, command.value], {
        timeoutMs: shellRunKind.defaults.timeoutS * 1000,
        signal,
      }),
    );
  },
};
