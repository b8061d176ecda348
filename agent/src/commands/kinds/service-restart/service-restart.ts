import { type CommandKind, outcomeOf, stringArg } from "../command-kind.js";

/** A service name as systemd, the Windows service manager and launchd accept them. */
const SERVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9@._:-]{0,127}$/;

/** `service.restart`: restarts a system service (systemd, Windows service, launchd). */
export const serviceRestartKind: CommandKind = {
  name: "service.restart",
  defaults: { timeoutS: 300, idempotent: true, interruptible: false, disruptive: false },
  validate: async (args) => {
    const name = stringArg(args, "name", SERVICE_NAME);
    return "problem" in name ? name.problem : undefined;
  },
  run: async (args, context) => {
    const name = stringArg(args, "name", SERVICE_NAME);
    if ("problem" in name) return { exitCode: null, durationMs: 0, error: name.problem };
    return outcomeOf(await context.system.restartService(name.value));
  },
};
