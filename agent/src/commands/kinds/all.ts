/** Every command kind the agent ships; only entry points import this list. */
import type { CommandKind } from "./command-kind.js";
import { inventoryCollectKind } from "./inventory-collect/inventory-collect.js";
import { scriptRunKind } from "./script-run/script-run.js";
import { serviceRestartKind } from "./service-restart/service-restart.js";
import { shellRunKind } from "./shell-run/shell-run.js";
import { systemRebootKind } from "./system-reboot/system-reboot.js";

/** The built-in command kinds. */
export const ALL_KINDS: readonly CommandKind[] = [
  inventoryCollectKind,
  scriptRunKind,
  serviceRestartKind,
  systemRebootKind,
  shellRunKind,
];
