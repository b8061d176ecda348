import type { SignatureVerdict } from "@outpost/shared-model";
import type { JSX } from "solid-js";
import type { VerdictView } from "./create-verdict.js";

/**
 * Who signed an item, or plainly what is wrong with it: "signed by alice", "UNSIGNED",
 * "signature invalid: …", "signer revoked: …", "signer unknown: …". An agent runs nothing that
 * is not "signed by", so anything else here is what it refuses.
 */
export function SignatureBadge(props: { view: VerdictView; what?: string }): JSX.Element {
  const verdict = (): SignatureVerdict | undefined =>
    props.view.state === "checked" ? props.view.verdict : undefined;
  const tone = () => {
    const current = verdict();
    if (current === undefined) return "unknown";
    return current.ok ? "ok" : "bad";
  };
  return (
    <span
      class={`signature ${tone()}`}
      data-testid="signature"
      data-verdict={
        verdict()?.ok === true
          ? "ok"
          : ((verdict() as { problem?: string })?.problem ?? props.view.state)
      }
      title={titleOf(props.view)}
    >
      {props.what ? `${props.what}: ` : ""}
      {textOf(props.view)}
    </span>
  );
}

function textOf(view: VerdictView): string {
  if (view.state === "checking") return "checking signature…";
  if (view.state === "unchecked") return "signature not checked: no root key for this fleet";
  const verdict = view.verdict;
  if (verdict.ok) return `signed by ${verdict.admin}`;
  switch (verdict.problem) {
    case "signature-missing":
      return "UNSIGNED";
    case "signature-invalid":
      return `signature invalid: ${verdict.detail}`;
    case "signer-revoked":
      return `signer revoked: ${verdict.detail}`;
    case "signer-unknown":
      return `signer unknown: ${verdict.detail}`;
  }
}

function titleOf(view: VerdictView): string | undefined {
  if (view.state !== "checked") return undefined;
  return view.verdict.ok ? `key ${view.verdict.keyId}` : view.verdict.detail;
}
