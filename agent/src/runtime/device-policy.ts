import type { DocHandle } from "@automerge/automerge-repo";
import {
  type AnyPolicyRegister,
  type AuditEntry,
  DEFAULT_POLICY,
  type DeviceDoc,
  type Logger,
  type Policy,
  type PolicyRecord,
  type PolicySettings,
  policyChanges,
  policyValues,
  validatePolicyRecord,
} from "@outpost/shared-model";

/** The settings the agent's config file gives, used until an admin sets them. */
export type ConfigPolicy = Pick<PolicySettings, "samplingIntervalS" | "retainDays">;

/**
 * The device policy as the agent applies it (ARCHITECTURE.md, "Policy"): its own settings (the
 * defaults, and its config file's sampling interval and retention) with each setting an admin set
 * in the DeviceDoc's `policy` over them. Every change that reaches the device is validated register
 * by register (a bad one is left out, and the setting keeps the agent's own value), applied, and
 * written to the audit trail with who set what.
 */
export class DevicePolicy {
  readonly #device: DocHandle<DeviceDoc>;
  readonly #actor: string;
  readonly #now: () => number;
  readonly #audit: (entry: AuditEntry) => void;
  readonly #logger: Logger;
  readonly #listeners: ((changed: readonly string[]) => void)[] = [];
  #base: Policy = DEFAULT_POLICY;
  #applied: Policy = DEFAULT_POLICY;
  /** The registers in force, setting by setting. */
  #accepted: PolicyRecord = {};
  #lastProblems = "";
  #onDocumentChange: (() => void) | undefined;

  constructor(options: {
    device: DocHandle<DeviceDoc>;
    /** `agent:<deviceId>`, the author of the config file's settings in the audit trail. */
    actor: string;
    now: () => number;
    audit: (entry: AuditEntry) => void;
    logger: Logger;
  }) {
    this.#device = options.device;
    this.#actor = options.actor;
    this.#now = options.now;
    this.#audit = options.audit;
    this.#logger = options.logger;
  }

  /**
   * Takes the config file's settings as the agent's own, then follows the document. Call once,
   * before the settings are first used.
   */
  start(config: ConfigPolicy): void {
    this.#base = { ...DEFAULT_POLICY, ...config };
    const fromConfig = policyChanges(DEFAULT_POLICY, this.#base);
    this.#applied = this.#base;
    if (fromConfig.length > 0) {
      this.#audit({
        at: this.#now(),
        actor: this.#actor,
        action: "policy-applied",
        detail: `${fromConfig.join("; ")} (from the agent's config file)`,
      });
    }
    this.#onDocumentChange = () => this.#apply();
    this.#device.on("change", this.#onDocumentChange);
    this.#apply();
    const overridden = (["samplingIntervalS", "retainDays"] as const).filter(
      (key) =>
        this.#device.doc().policy[key] !== undefined && this.#base[key] !== this.#applied[key],
    );
    if (overridden.length > 0) {
      this.#logger.info(
        `the device policy set by admins overrides the config file: sampling every ${this.#applied.samplingIntervalS} s, retention ${this.#applied.retainDays} days`,
      );
    }
  }

  /** Stops following the document. */
  stop(): void {
    if (this.#onDocumentChange) this.#device.off("change", this.#onDocumentChange);
    this.#onDocumentChange = undefined;
  }

  /** The policy in force. */
  get current(): Readonly<Policy> {
    return this.#applied;
  }

  /** Calls `listener` with the names of the settings each time some change. */
  onChange(listener: (changed: readonly string[]) => void): void {
    this.#listeners.push(listener);
  }

  #apply(): void {
    const { value: registers, problems } = validatePolicyRecord(this.#device.doc().policy);
    const at = this.#now();
    const report = problems.map((problem) => problem.message).join("; ");
    if (report !== this.#lastProblems) {
      this.#lastProblems = report;
      if (report !== "") {
        this.#logger.warn(`policy settings refused, the agent's own stay: ${report}`);
        this.#audit({
          at,
          actor: editorOf(this.#device.doc().policy),
          action: "policy-refused",
          detail: report,
        });
      }
    }
    // A setting whose register is refused keeps the register in force (not the agent's own
    // value): a bad edit changes nothing on the device.
    const raw = this.#device.doc().policy as Record<string, unknown>;
    const accepted: Record<string, AnyPolicyRegister> = { ...registers };
    for (const key of Object.keys(raw)) {
      const previous = (this.#accepted as Record<string, AnyPolicyRegister | undefined>)[key];
      if (accepted[key] === undefined && previous !== undefined) accepted[key] = previous;
    }
    this.#accepted = accepted as PolicyRecord;
    const value = policyValues(this.#accepted, this.#base);
    const changes = policyChanges(this.#applied, value);
    if (changes.length === 0) return;
    this.#applied = value;
    const editor = editorOf(registers);
    this.#logger.info({ by: editor, changes }, `policy applied: ${changes.join("; ")}`);
    this.#audit({ at, actor: editor, action: "policy-applied", detail: changes.join("; ") });
    const changed = changes.map((line) => line.slice(0, line.indexOf(":")));
    for (const listener of this.#listeners) listener(changed);
  }
}

/** Who set the most recently set setting (`unknown` when nobody names one). */
function editorOf(record: PolicyRecord | Record<string, unknown>): string {
  let latest: { setBy: string; setAt: number } | undefined;
  for (const register of Object.values(record) as Partial<AnyPolicyRegister>[]) {
    if (typeof register?.setBy !== "string" || typeof register.setAt !== "number") continue;
    if (latest === undefined || register.setAt >= latest.setAt) {
      latest = { setBy: register.setBy, setAt: register.setAt };
    }
  }
  return latest?.setBy ?? "unknown";
}
