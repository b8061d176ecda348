import type { DocHandle } from "@automerge/automerge-repo";
import {
  type AnyPolicyRegister,
  type AuditEntry,
  DEFAULT_POLICY,
  type DeviceDoc,
  type DeviceId,
  type Logger,
  messageOf,
  type Policy,
  type PolicyRecord,
  type PolicySettings,
  policyChanges,
  policyValues,
} from "@outpost/shared-model";
import type { TrustSource } from "../trust/trust-status.js";
import { PolicyVerdicts, type RefusedSetting } from "./policy-verdicts.js";

/** The settings the agent's config file gives, used until an admin sets them. */
export type ConfigPolicy = Pick<PolicySettings, "samplingIntervalS" | "retainDays">;

/**
 * The device policy as the agent applies it (ARCHITECTURE.md, "Policy"): its own settings (the
 * defaults, and its config file's sampling interval and retention) with each setting an admin set
 * in the DeviceDoc's `policy` over them. Every change that reaches the device is validated and
 * verified register by register (docs/ARCHITECTURE.md, "Trust"): a malformed register, or one
 * whose signature the agent does not trust, is refused and audited, and the register in force
 * stays (unless its own signer has been revoked since: then the agent's own value). What is
 * applied is written to the audit trail with who set what.
 *
 * Verifying is asynchronous: document changes are applied one at a time, in order, each reading
 * the document as it is when its turn comes (changes that arrive meanwhile make one more turn).
 */
export class DevicePolicy {
  readonly #device: DocHandle<DeviceDoc>;
  readonly #actor: string;
  readonly #now: () => number;
  readonly #audit: (entry: AuditEntry) => void;
  readonly #logger: Logger;
  readonly #listeners: ((changed: readonly string[]) => void)[] = [];
  readonly #trust: TrustSource;
  readonly #verdicts: PolicyVerdicts;
  #base: Policy = DEFAULT_POLICY;
  #applied: Policy = DEFAULT_POLICY;
  /** The registers in force, setting by setting. */
  #accepted: PolicyRecord = {};
  #lastProblems = "";
  #onDocumentChange: (() => void) | undefined;
  #stopFollowingTrust: (() => void) | undefined;
  /** The turn under way (or the last one), and the next one when it is waiting for its turn. */
  #applying: Promise<void> = Promise.resolve();
  #next: Promise<void> | undefined;

  constructor(options: {
    device: DocHandle<DeviceDoc>;
    /** `agent:<deviceId>`, the author of the config file's settings in the audit trail. */
    actor: string;
    now: () => number;
    audit: (entry: AuditEntry) => void;
    logger: Logger;
    /** The agent's trust in what admins sign: a register counts only when it is trusted. */
    trust: TrustSource;
    deviceId: DeviceId;
  }) {
    this.#trust = options.trust;
    this.#verdicts = new PolicyVerdicts(options.trust, options.deviceId);
    this.#device = options.device;
    this.#actor = options.actor;
    this.#now = options.now;
    this.#audit = options.audit;
    this.#logger = options.logger;
  }

  /**
   * Takes the config file's settings as the agent's own, then follows the document (and the
   * agent's trust: a root pinned or a key revoked changes what counts). Call once, before the
   * settings are first used; resolves once the document's policy is applied.
   */
  async start(config: ConfigPolicy): Promise<void> {
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
    this.#onDocumentChange = () => void this.#schedule();
    this.#device.on("change", this.#onDocumentChange);
    this.#stopFollowingTrust = this.#trust.onChange(this.#onDocumentChange);
    await this.#schedule();
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

  /** Stops following the document; resolves once the turn under way is done. */
  async stop(): Promise<void> {
    if (this.#onDocumentChange) this.#device.off("change", this.#onDocumentChange);
    this.#onDocumentChange = undefined;
    this.#stopFollowingTrust?.();
    await this.#applying;
  }

  /** The policy in force. */
  get current(): Readonly<Policy> {
    return this.#applied;
  }

  /** Calls `listener` with the names of the settings each time some change. */
  onChange(listener: (changed: readonly string[]) => void): void {
    this.#listeners.push(listener);
  }

  /** One more turn after the one under way, unless one is already waiting (it reads the latest). */
  #schedule(): Promise<void> {
    this.#next ??= this.#applying.then(async () => {
      this.#next = undefined;
      try {
        await this.#apply();
      } catch (error) {
        this.#logger.error(
          { err: error },
          `applying the device policy failed: ${messageOf(error)}`,
        );
      }
    });
    this.#applying = this.#next;
    return this.#next;
  }

  async #apply(): Promise<void> {
    const reading = await this.#verdicts.read(this.#device.doc());
    // Still learning its root: admins' settings wait for it; the agent's own stay in force.
    if (reading === undefined) return;
    const at = this.#now();
    const report = reading.refused.map((refusal) => refusal.line).join("; ");
    if (report !== this.#lastProblems) {
      this.#lastProblems = report;
      if (report !== "") {
        this.#logger.warn(`policy settings refused, the ones in force stay: ${report}`);
        this.#audit({
          at,
          actor: this.#refusedBy(reading.refused),
          action: "policy-refused",
          detail: report,
        });
      }
    }
    // A refused register keeps the register in force (not the agent's own value): a bad edit
    // changes nothing on the device. Unless the one in force has lost its signer's trust too.
    const accepted: Record<string, AnyPolicyRegister> = { ...reading.trusted };
    for (const { setting } of reading.refused) {
      const previous = (this.#accepted as Record<string, AnyPolicyRegister | undefined>)[setting];
      if (accepted[setting] === undefined && previous && this.#verdicts.stillTrusted(previous))
        accepted[setting] = previous;
    }
    this.#accepted = accepted as PolicyRecord;
    const value = policyValues(this.#accepted, this.#base);
    const changes = policyChanges(this.#applied, value);
    if (changes.length === 0) return;
    this.#applied = value;
    const editor = editorOf(reading.trusted);
    this.#logger.info({ by: editor, changes }, `policy applied: ${changes.join("; ")}`);
    this.#audit({ at, actor: editor, action: "policy-applied", detail: changes.join("; ") });
    const changed = changes.map((line) => line.slice(0, line.indexOf(":")));
    for (const listener of this.#listeners) listener(changed);
  }

  /**
   * Who the refusal is of: the admin who set the latest refused register when their signature
   * holds (a malformed value they signed), else the agent itself, since no one is proven to have
   * written it (its line says whom it claims).
   */
  #refusedBy(refused: readonly RefusedSetting[]): string {
    const latest = refused.reduce((a, b) => (b.setAt >= a.setAt ? b : a));
    return latest.signed ? latest.claimedBy : this.#actor;
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
