/**
 * What an admin's signature covers for each item of a DeviceDoc that changes what the agent runs
 * (docs/ARCHITECTURE.md, "Trust"): a command's spec, its priority, a request (cancel, retry, note)
 * and a policy setting. Every payload names its command or setting, so a signature never fits
 * another item, and the scope names the device, so it never fits another device's copy.
 */
import type { CommandEvent, Intent } from "../commands/events.js";
import type { CommandSpec, PriorityRegister } from "../commands/spec.js";
import type { PolicyRegister, PolicySettings } from "../documents/device-doc.js";
import type { CommandId } from "../ids/ids.js";
import type { JsonValue, SignaturePurpose, SignatureScope } from "./signed-message.js";
import { signedMessage } from "./signed-message.js";

/** One signable item: what it is, what the signature covers, who it claims as author, and the signature. */
export interface SignedItem {
  purpose: SignaturePurpose;
  payload: JsonValue;
  /** The author the item names (`createdBy`, `setBy`, `by`): must be the signing key's admin. */
  claimedBy: string;
  signature: string | undefined;
}

/** A spec's signed payload: every field but the signature. */
export function commandSpecItem(spec: CommandSpec): SignedItem {
  const { signature, ...payload } = spec;
  return {
    purpose: "command-spec",
    payload: payload as unknown as JsonValue,
    claimedBy: spec.createdBy,
    signature,
  };
}

/** A priority register's signed payload: its command, value, author and time. */
export function priorityItem(commandId: CommandId, register: PriorityRegister): SignedItem {
  const { value, setBy, setAt, signature } = register;
  return {
    purpose: "command-priority",
    payload: { commandId, value, setBy, setAt },
    claimedBy: setBy,
    signature,
  };
}

/** An intent's signed payload: its command and every field but the signature. */
export function intentItem(commandId: CommandId, intent: Intent | CommandEvent): SignedItem {
  const { signature, ...fields } = intent as Intent;
  return {
    purpose: "command-intent",
    payload: { commandId, ...(fields as unknown as { [key: string]: JsonValue }) },
    claimedBy: intent.by,
    signature,
  };
}

/** A policy register's signed payload: the setting's name, value, author and time. */
export function policySettingItem<K extends keyof PolicySettings>(
  setting: K,
  register: PolicyRegister<PolicySettings[K]>,
): SignedItem {
  const { value, setBy, setAt, signature } = register;
  return {
    purpose: "policy-setting",
    payload: { setting, value: value as unknown as JsonValue, setBy, setAt },
    claimedBy: setBy,
    signature,
  };
}

/** The bytes the item's signature covers on `device` of `fleet`. */
export function itemMessage(item: SignedItem, scope: SignatureScope): Uint8Array {
  return signedMessage(item.purpose, scope, item.payload);
}
