import type { DocHandle } from "@automerge/automerge-repo";
import {
  type AuditEntry,
  DEFAULT_POLICY,
  type DeviceDoc,
  type Logger,
  type Policy,
  type PolicySettings,
  policyChanges,
  updatePolicy,
  validatePolicy,
} from "@outpost/shared-model";

/** The settings the agent's config file gives, used until an admin edits the policy. */
export type ConfigPolicy = Pick<PolicySettings, "samplingIntervalS" | "retainDays">;

/**
 * The device policy as the agent applies it (ARCHITECTURE.md, "Policy"). The DeviceDoc's `policy`
 * is the source: admins edit it, and every change that reaches the device is validated setting by
 * setting (a bad setting keeps the value in force), applied, and written to the audit trail with
 * who edited it and what changed. The agent's config file seeds the sampling interval and retention
 * for as long as no admin has edited the policy; after that, the admin's values win.
 */
export class DevicePolicy {
  readonly #device: DocHandle<DeviceDoc>;
  readonly #actor: string;
  readonly #now: () => number;
  readonly #audit: (entry: AuditEntry) => void;
  readonly #logger: Logger;
  readonly #listeners: ((changed: readonly string[]) => void)[] = [];
  #applied: Policy;
  #lastProblems = "";

  constructor(options: {
    device: DocHandle<DeviceDoc>;
    /** `agent:<deviceId>`, for the agent's own edit from its config file. */
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
    // What the document says now is what the last run applied (only sync changes it, and only
    // while the agent runs); problems in it are reported by the first `#apply`.
    this.#applied = validatePolicy(options.device.doc().policy, DEFAULT_POLICY).value;
  }

  /**
   * Seeds the config's settings when no admin has edited the policy, then follows the document.
   * Call once, before the settings are first used.
   */
  start(config: ConfigPolicy): void {
    this.#device.on("change", () => this.#apply());
    this.#apply();
    const policy = this.#device.doc().policy;
    const adminEdited = policy.updatedBy?.startsWith("admin:") ?? false;
    const differs =
      policy.samplingIntervalS !== config.samplingIntervalS ||
      policy.retainDays !== config.retainDays;
    if (!adminEdited && differs) {
      this.#device.change((doc) => updatePolicy(doc, config, { by: this.#actor, at: this.#now() }));
    } else if (differs) {
      this.#logger.info(
        `the device policy (edited by ${policy.updatedBy}) overrides the config file: sampling every ${this.#applied.samplingIntervalS} s, retention ${this.#applied.retainDays} days`,
      );
    }
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
    const written = this.#device.doc().policy;
    const { value, problems } = validatePolicy(written, this.#applied);
    const editor = written.updatedBy ?? "unknown";
    const at = this.#now();
    const report = problems.map((problem) => problem.message).join("; ");
    if (report !== this.#lastProblems) {
      this.#lastProblems = report;
      if (report !== "") {
        this.#logger.warn(`policy settings refused, the ones in force stay: ${report}`);
        this.#audit({ at, actor: editor, action: "policy-refused", detail: report });
      }
    }
    const changes = policyChanges(this.#applied, value);
    if (changes.length === 0) return;
    this.#applied = value;
    const source = editor === this.#actor ? " (from the agent's config file)" : "";
    this.#logger.info({ by: editor, changes }, `policy applied${source}: ${changes.join("; ")}`);
    this.#audit({
      at,
      actor: editor,
      action: "policy-applied",
      detail: changes.join("; ") + source,
    });
    const changed = changes.map((line) => line.slice(0, line.indexOf(":")));
    for (const listener of this.#listeners) listener(changed);
  }
}
