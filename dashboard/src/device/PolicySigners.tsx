import {
  type AnyPolicyRegister,
  POLICY_SETTINGS,
  type PolicyRecord,
  type PolicySettings,
  policySettingItem,
} from "@outpost/shared-model";
import { For, type JSX, Show } from "solid-js";
import { createVerdict, type VerifyItem } from "../trust/create-verdict.js";
import { SignatureBadge } from "../trust/SignatureBadge.js";
import { formatTime } from "../ui/format.js";

/**
 * Who set each policy setting and whether its signature holds: the agent applies a setting only
 * when it does, and keeps its own value otherwise. A setting nobody set is the agent's own.
 */
export function PolicySigners(props: {
  registers: PolicyRecord;
  verify: VerifyItem;
  learnt: () => number;
}): JSX.Element {
  return (
    <table class="policy-signers" aria-label="Who set each setting">
      <thead>
        <tr>
          <th scope="col">Setting</th>
          <th scope="col">Set by</th>
          <th scope="col">Signature</th>
        </tr>
      </thead>
      <tbody>
        <For each={POLICY_SETTINGS}>
          {(setting) => (
            <SettingRow
              setting={setting}
              register={props.registers[setting] as AnyPolicyRegister | undefined}
              verify={props.verify}
              learnt={props.learnt}
            />
          )}
        </For>
      </tbody>
    </table>
  );
}

function SettingRow(props: {
  setting: keyof PolicySettings;
  register: AnyPolicyRegister | undefined;
  verify: VerifyItem;
  learnt: () => number;
}): JSX.Element {
  const verdict = createVerdict(
    props.verify,
    () => (props.register ? policySettingItem(props.setting, props.register) : undefined),
    props.learnt,
  );
  return (
    <tr data-setting={props.setting}>
      <th scope="row">{props.setting}</th>
      <Show
        when={props.register}
        fallback={
          <td class="muted" colSpan={2}>
            not set: the agent's own value
          </td>
        }
      >
        {(register) => (
          <>
            <td>
              {register().setBy} at {formatTime(register().setAt)}
            </td>
            <td>
              <SignatureBadge view={verdict()} />
            </td>
          </>
        )}
      </Show>
    </tr>
  );
}
