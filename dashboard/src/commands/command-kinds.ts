import type { CommandArgValue } from "@outpost/shared-model";

/** One argument of a command kind as the enqueue form asks for it. */
export interface ArgField {
  name: string;
  label: string;
  required: boolean;
  type: "text" | "number" | "list";
  hint?: string;
}

/**
 * A kind the agent knows, and what the form asks for it (ARCHITECTURE.md, "Commands"; README
 * "Commands").
 */
export interface KindForm {
  kind: string;
  label: string;
  description: string;
  args: ArgField[];
}

/** The kinds an admin can enqueue from the dashboard. */
export const KIND_FORMS: readonly KindForm[] = [
  {
    kind: "inventory.collect",
    label: "Collect inventory",
    description: "Re-reads the inventory and writes it if it changed.",
    args: [],
  },
  {
    kind: "script.run",
    label: "Run a script",
    description: "A script from the agent's scripts folder, only if its sha256 matches.",
    args: [
      { name: "name", label: "Script name", required: true, type: "text" },
      { name: "sha256", label: "SHA-256", required: true, type: "text", hint: "64 hex digits" },
      { name: "args", label: "Arguments", required: false, type: "list", hint: "comma-separated" },
      { name: "timeoutS", label: "Timeout (s)", required: false, type: "number" },
    ],
  },
  {
    kind: "service.restart",
    label: "Restart a service",
    description: "systemctl / Restart-Service / launchctl; cannot be stopped once started.",
    args: [{ name: "name", label: "Service", required: true, type: "text" }],
  },
  {
    kind: "system.reboot",
    label: "Reboot",
    description: "Only inside the device's maintenance window.",
    args: [],
  },
  {
    kind: "shell.run",
    label: "Shell command",
    description: "Runs only where the device policy allows shell commands.",
    args: [{ name: "command", label: "Command", required: true, type: "text" }],
  },
];

/**
 * The args a form's text inputs make: numbers and lists parsed, empty optional fields left
 * out. Returns the problem with the first bad field instead, naming it.
 */
export function argsFromForm(
  form: KindForm,
  values: Readonly<Record<string, string>>,
): { args: Record<string, CommandArgValue> } | { problem: string } {
  const args: Record<string, CommandArgValue> = {};
  for (const field of form.args) {
    const raw = (values[field.name] ?? "").trim();
    if (raw === "") {
      if (field.required) return { problem: `${field.label} is required` };
      continue;
    }
    if (field.type === "number") {
      const value = Number(raw);
      if (!Number.isFinite(value) || value <= 0) {
        return { problem: `${field.label} must be a positive number, not "${raw}"` };
      }
      args[field.name] = value;
    } else if (field.type === "list") {
      args[field.name] = raw
        .split(",")
        .map((part) => part.trim())
        .filter(Boolean);
    } else {
      args[field.name] = raw;
    }
  }
  return { args };
}
