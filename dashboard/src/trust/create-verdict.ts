import { messageOf, type SignatureVerdict, type SignedItem } from "@outpost/shared-model";
import { type Accessor, createMemo, createResource } from "solid-js";

/** What a signature badge shows: still checking, not checkable (no root yet), or the verdict. */
export type VerdictView =
  | { state: "checking" }
  | { state: "unchecked" }
  | { state: "checked"; verdict: SignatureVerdict };

/** Checks a signed item of one device's document (the device page's `verify`). */
export type VerifyItem = (item: SignedItem) => Promise<SignatureVerdict | undefined>;

/**
 * The verdict on `item` as it is now, checked again whenever the item changes (a tampered field
 * too) or the verifier learnt something (`learnt`: a revocation). Only items on screen are
 * checked: a component makes this for what it shows, and the verifier remembers verdicts, so the
 * same item is verified once.
 */
export function createVerdict(
  verify: VerifyItem,
  item: () => SignedItem | undefined,
  learnt: () => number,
): Accessor<VerdictView> {
  const source = createMemo(
    () => {
      const current = item();
      if (current === undefined) return undefined;
      // Reading every field (through the store) is what makes a changed field check again; the
      // plain copy is what gets verified, never the store's proxies.
      const fields = JSON.stringify([current.payload, current.claimedBy, current.signature]);
      return {
        key: `${learnt()}\n${fields}`,
        item: { ...current, payload: JSON.parse(JSON.stringify(current.payload)) },
      };
    },
    undefined,
    { equals: (a, b) => a?.key === b?.key },
  );
  const [checked] = createResource(source, async ({ item: plain }) => {
    try {
      return { verdict: await verify(plain) };
    } catch (failure) {
      // A payload with no canonical form (a hostile document) cannot have been signed.
      return {
        verdict: { ok: false, problem: "signature-invalid", detail: messageOf(failure) } as const,
      };
    }
  });
  return () => {
    const latest = checked.latest;
    if (latest === undefined) return { state: "checking" };
    return latest.verdict === undefined
      ? { state: "unchecked" }
      : { state: "checked", verdict: latest.verdict };
  };
}
