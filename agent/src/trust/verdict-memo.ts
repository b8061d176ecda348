import {
  type AdminKeyCertificate,
  type DeviceId,
  messageOf,
  type SignatureVerdict,
  type SignedItem,
  type TrustVerifier,
} from "@outpost/shared-model";

/** The certificates a DeviceDoc carries beside what they signed (its `signers` map). */
export type Signers = Readonly<Record<string, AdminKeyCertificate>> | undefined;

/** A signed item to verify: the snapshot object it is read from, and what it signs. */
export interface AskedItem {
  source: object;
  item: () => SignedItem;
}

/**
 * Signatures checked at once: WebCrypto verifies on Node's thread pool, and one at a time the
 * round trips, not the checks, set the pace (a cold 10,000-command queue took twice as long).
 */
const CONCURRENT_CHECKS = 32;

/**
 * Verdicts on the signed items of one device's document, remembered per item object, so a queue
 * of 10,000 commands that has not changed costs 10,000 lookups, not 10,000 signature checks.
 *
 * Automerge snapshots are immutable and share every unchanged object with the snapshot before,
 * exactly as `FoldCache` relies on: any change to an item's content (a spec's arguments, say)
 * gives it a new object, which is verified afresh. Below this memo, `TrustVerifier` keys its own
 * signature checks by the signature and the signed bytes, so content never borrows a verdict.
 *
 * What the memo cannot keep: a revocation learnt after a verdict (checked at every lookup, so a
 * revoked signer counts from the next plan on), and `signer-unknown` (its certificate may come).
 */
export class VerdictMemo {
  /** The verifier whose verdicts these are. */
  readonly verifier: TrustVerifier;
  readonly #device: DeviceId;
  readonly #verdicts = new WeakMap<object, SignatureVerdict>();

  constructor(verifier: TrustVerifier, device: DeviceId) {
    this.verifier = verifier;
    this.#device = device;
  }

  /** The remembered verdict on the item read from `source`, revocations applied; else undefined. */
  known(source: object): SignatureVerdict | undefined {
    const verdict = this.#verdicts.get(source);
    if (verdict?.ok && this.verifier.isRevoked(verdict.keyId)) {
      return {
        ok: false,
        problem: "signer-revoked",
        detail: `key ${verdict.keyId} of admin ${verdict.admin} was revoked`,
      };
    }
    return verdict;
  }

  /**
   * Checks every item of `asked` that has no remembered verdict, several at a time. Returns a
   * lookup of verdicts by source object, remembered or checked now (throwing for an object that
   * is neither: never a yes by mistake).
   */
  async verdicts(
    asked: readonly AskedItem[],
    signers: Signers,
  ): Promise<(source: object) => SignatureVerdict> {
    const fresh = new Map<object, SignatureVerdict>();
    const missing = asked.filter((entry) => this.known(entry.source) === undefined);
    for (let start = 0; start < missing.length; start += CONCURRENT_CHECKS) {
      await Promise.all(
        missing.slice(start, start + CONCURRENT_CHECKS).map(async ({ source, item }) => {
          fresh.set(source, await this.verdict(source, item, signers));
        }),
      );
    }
    return (source) => {
      const verdict = this.known(source) ?? fresh.get(source);
      if (verdict === undefined) throw new Error("an item was not verified before it was used");
      return verdict;
    };
  }

  /** The verdict on `item`, read from the snapshot object `source`: remembered, or checked now. */
  async verdict(
    source: object,
    item: () => SignedItem,
    signers: Signers,
  ): Promise<SignatureVerdict> {
    const known = this.known(source);
    if (known !== undefined) return known;
    let verdict: SignatureVerdict;
    try {
      verdict = await this.verifier.verify(item(), this.#device, signers);
    } catch (error) {
      // A payload with no canonical form (a lone surrogate) cannot have been signed as written.
      verdict = { ok: false, problem: "signature-invalid", detail: messageOf(error) };
    }
    if (verdict.ok || verdict.problem !== "signer-unknown") this.#verdicts.set(source, verdict);
    return verdict;
  }
}

/** `<problem>: <detail>`, the reason the agent records for an item it refuses. */
export function describeVerdict(verdict: SignatureVerdict & { ok: false }): string {
  return `${verdict.problem}: ${verdict.detail}`;
}
