/**
 * Signing what an admin writes into a DeviceDoc: prepare the item (`draftCommand`,
 * `draftPriority`, `draftIntent`, `draftPolicy`), sign it here (WebCrypto is asynchronous and an
 * Automerge change is not), then write it inside one change together with the key's certificate
 * ({@link recordSigner}).
 */

import type { Intent } from "../commands/events.js";
import type { CommandDraft } from "../commands/mutators.js";
import type { PriorityRegister } from "../commands/spec.js";
import type { DeviceDoc, PolicyRecord, PolicySettings } from "../documents/device-doc.js";
import type { AnyPolicyRegister } from "../documents/policy.js";
import type { CommandId, DeviceId } from "../ids/ids.js";
import { type AdminSigner, signItem } from "./admin-signer.js";
import type { AdminKeyCertificate } from "./certificates.js";
import { commandSpecItem, intentItem, policySettingItem, priorityItem } from "./signed-items.js";

/** A drafted command with its spec and its first priority signed for `device`. */
export async function signCommand(
  signer: AdminSigner,
  device: DeviceId,
  command: CommandDraft,
): Promise<CommandDraft> {
  const spec = { ...command.spec, signature: undefined };
  delete spec.signature;
  const priority = { ...command.priority };
  delete priority.signature;
  return {
    spec: { ...spec, signature: await signItem(signer, device, commandSpecItem(spec)) },
    priority: {
      ...priority,
      signature: await signItem(signer, device, priorityItem(spec.id, priority)),
    },
  };
}

/** A priority register signed for the command `commandId` on `device`. */
export async function signPriority(
  signer: AdminSigner,
  device: DeviceId,
  commandId: CommandId,
  register: PriorityRegister,
): Promise<PriorityRegister> {
  const unsigned = { ...register };
  delete unsigned.signature;
  return {
    ...unsigned,
    signature: await signItem(signer, device, priorityItem(commandId, unsigned)),
  };
}

/** An intent signed for the command `commandId` on `device`. */
export async function signIntent<I extends Intent>(
  signer: AdminSigner,
  device: DeviceId,
  commandId: CommandId,
  intent: I,
): Promise<I> {
  const unsigned = { ...intent };
  delete unsigned.signature;
  return {
    ...unsigned,
    signature: await signItem(signer, device, intentItem(commandId, unsigned)),
  };
}

/** Every register of a drafted policy edit, signed for `device`. */
export async function signPolicy(
  signer: AdminSigner,
  device: DeviceId,
  registers: PolicyRecord,
): Promise<PolicyRecord> {
  const signed: Record<string, AnyPolicyRegister> = {};
  for (const [setting, register] of Object.entries(registers) as [
    keyof PolicySettings,
    AnyPolicyRegister,
  ][]) {
    const unsigned = { ...register };
    delete unsigned.signature;
    signed[setting] = {
      ...unsigned,
      signature: await signItem(signer, device, policySettingItem(setting, unsigned)),
    };
  }
  return signed as PolicyRecord;
}

/**
 * Writes the certificate of the key that signed an item beside it, inside the same change, unless
 * the document has it already: the agent can then check the signature from the document alone.
 */
export function recordSigner(
  draft: Pick<DeviceDoc, "signers">,
  certificate: AdminKeyCertificate,
): void {
  // Documents from before signed commands have no `signers` map yet.
  draft.signers ??= {};
  if (draft.signers[certificate.keyId] === undefined) {
    draft.signers[certificate.keyId] = structuredClone(certificate);
  }
}
