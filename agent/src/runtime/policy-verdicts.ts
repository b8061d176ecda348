import {
  type AnyPolicyRegister,
  type DeviceDoc,
  type DeviceId,
  POLICY_SETTINGS,
  type PolicyRecord,
  type PolicySettings,
  policySettingItem,
  type SignatureVerdict,
  type TrustVerifier,
  validatePolicyRecord,
} from "@outpost/shared-model";
import { NO_ROOT_PINNED_DETAIL, type TrustSource } from "../trust/trust-status.js";
import { describeVerdict, type Signers, VerdictMemo } from "../trust/verdict-memo.js";

/** A policy register the agent will not apply, and why. */
export interface RefusedSetting {
  /** The setting, or `policy` when the policy as a whole is malformed. */
  setting: string;
  /** `policy.<setting>: <problem> (written as <author>)`, for the audit trail and the log. */
  line: string;
  /** The author the register names. */
  claimedBy: string;
  setAt: number;
  /** True when the register's signature is trusted (a signed, but malformed, value). */
  signed: boolean;
}

/** A DeviceDoc's policy registers as the agent reads them: those it trusts, and those it refuses. */
export interface PolicyReading {
  trusted: PolicyRecord;
  refused: RefusedSetting[];
}

/**
 * Reads the policy registers of a DeviceDoc for the agent (docs/ARCHITECTURE.md, "Trust"): a
 * register counts when it is well formed and signed by a key the pinned root certified and has
 * not revoked. Every other register is refused, naming its problem and whom it claims.
 */
export class PolicyVerdicts {
  readonly #trust: TrustSource;
  readonly #deviceId: DeviceId;
  #memo: { verifier: TrustVerifier; memo: VerdictMemo } | undefined;

  constructor(trust: TrustSource, deviceId: DeviceId) {
    this.#trust = trust;
    this.#deviceId = deviceId;
  }

  /** The verdicts on `doc`'s policy; `undefined` while the agent is still learning its root. */
  async read(doc: DeviceDoc): Promise<PolicyReading | undefined> {
    const status = this.#trust.status;
    if (status.kind === "awaiting") return undefined;
    const raw = (doc.policy ?? {}) as Record<string, unknown>;
    const verdicts = new Map<keyof PolicySettings, SignatureVerdict>();
    for (const setting of POLICY_SETTINGS) {
      const register = raw[setting];
      if (!isRegister(register)) continue;
      verdicts.set(
        setting,
        status.kind === "absent"
          ? { ok: false, problem: "signer-unknown", detail: NO_ROOT_PINNED_DETAIL }
          : await this.#verdict(status.verifier, setting, register, doc.signers as Signers),
      );
    }
    const { value: valid, problems } = validatePolicyRecord(raw);
    const refused = new Map<string, string[]>();
    for (const problem of problems) {
      const setting = problem.path.split(".")[1] ?? "policy";
      refused.set(setting, [...(refused.get(setting) ?? []), problem.message]);
    }
    const trusted: Record<string, AnyPolicyRegister> = {};
    for (const setting of Object.keys(valid) as (keyof PolicySettings)[]) {
      const verdict = verdicts.get(setting);
      // The document's own object (the same values): what the verdict is remembered by.
      if (verdict?.ok) trusted[setting] = raw[setting] as AnyPolicyRegister;
      else if (verdict !== undefined)
        refused.set(setting, [`policy.${setting}: ${describeVerdict(verdict)}`]);
    }
    return {
      trusted: trusted as PolicyRecord,
      refused: [...refused].map(([setting, lines]) => {
        const register = raw[setting] as Partial<AnyPolicyRegister> | undefined;
        const claimedBy = typeof register?.setBy === "string" ? register.setBy : "nobody";
        return {
          setting,
          line: `${lines.join("; ")} (written as ${claimedBy})`,
          claimedBy,
          setAt: typeof register?.setAt === "number" ? register.setAt : 0,
          signed: verdicts.get(setting as keyof PolicySettings)?.ok === true,
        };
      }),
    };
  }

  /** Whether a register once trusted still is (its signer may have been revoked since). */
  stillTrusted(register: object): boolean {
    return this.#memo?.memo.known(register)?.ok === true;
  }

  async #verdict(
    verifier: TrustVerifier,
    setting: keyof PolicySettings,
    register: AnyPolicyRegister,
    signers: Signers,
  ): Promise<SignatureVerdict> {
    if (this.#memo?.verifier !== verifier) {
      this.#memo = { verifier, memo: new VerdictMemo(verifier, this.#deviceId) };
    }
    const memo = this.#memo.memo;
    return (
      memo.known(register) ??
      (await memo.verdict(register, () => policySettingItem(setting, register), signers))
    );
  }
}

/** Something written where a register belongs, with an author: verified even if malformed. */
function isRegister(value: unknown): value is AnyPolicyRegister {
  return typeof value === "object" && value !== null && "setBy" in value;
}
