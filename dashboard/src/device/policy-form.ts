import type { Policy, PolicyRecord, PolicySettings } from "@outpost/shared-model";

/** The setting each form field edits (a window and the load thresholds are one setting each). */
const SETTING_OF_FIELD: Readonly<Record<string, keyof PolicySettings>> = {
  samplingIntervalS: "samplingIntervalS",
  retainDays: "retainDays",
  windowStart: "maintenanceWindow",
  windowEnd: "maintenanceWindow",
  cpuPercent: "load",
  memoryPercent: "load",
  diskBusyPercent: "load",
  sustainedS: "load",
  patterns: "criticalProcessPatterns",
  allowShell: "allowShell",
};

/** The policy setting the form field named `name` edits, if any. */
export function settingOfField(name: string): keyof PolicySettings | undefined {
  return Object.hasOwn(SETTING_OF_FIELD, name) ? SETTING_OF_FIELD[name] : undefined;
}

/**
 * Every setting as the policy form holds it now, unchecked: an empty number field is `NaN`, so
 * the shared model names it rather than the form guessing a value.
 */
export function readPolicyForm(form: HTMLFormElement): PolicySettings {
  const field = (name: string) =>
    (form.elements.namedItem(name) as HTMLInputElement | null)?.value ?? "";
  const checked = (name: string) =>
    (form.elements.namedItem(name) as HTMLInputElement | null)?.checked ?? false;
  const number = (name: string) => (field(name).trim() === "" ? Number.NaN : Number(field(name)));
  return {
    samplingIntervalS: number("samplingIntervalS"),
    retainDays: number("retainDays"),
    maintenanceWindow: { start: field("windowStart"), end: field("windowEnd") },
    load: {
      cpuPercent: number("cpuPercent"),
      memoryPercent: number("memoryPercent"),
      diskBusyPercent: number("diskBusyPercent"),
      sustainedS: number("sustainedS"),
    },
    criticalProcessPatterns: field("patterns")
      .split("\n")
      .map((line) => line.trim())
      .filter(Boolean),
    allowShell: checked("allowShell"),
  };
}

/**
 * What an admin changed, to be written (each setting is its own signed register): every
 * `edited` setting whose value differs from the one `shown`, or that no admin has set yet
 * (typing the shown default sets it, signed, over the agent's own value).
 */
export function changedSettings(
  values: PolicySettings,
  shown: Readonly<Policy>,
  registers: PolicyRecord,
  edited: ReadonlySet<keyof PolicySettings>,
): Partial<PolicySettings> {
  const patch: Record<string, unknown> = {};
  for (const setting of edited) {
    const differs = JSON.stringify(values[setting]) !== JSON.stringify(shown[setting]);
    if (differs || registers[setting] === undefined) patch[setting] = values[setting];
  }
  return patch as Partial<PolicySettings>;
}
