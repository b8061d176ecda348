import type { DocHandle } from "@automerge/automerge-repo/slim";
import {
  type Actor,
  type AdminSigner,
  addNote,
  appendIntent,
  type CommandDraft,
  type CommandId,
  type DeviceDoc,
  type DeviceId,
  draftCommand,
  draftIntent,
  draftPolicy,
  draftPriority,
  type EnqueueInput,
  insertCommand,
  messageOf,
  newCommandId,
  type PolicySettings,
  parseDeviceId,
  recordSigner,
  type SignatureVerdict,
  type SignedItem,
  signCommand,
  signIntent,
  signPolicy,
  signPriority,
  ValidationFailed,
  writePolicy,
  writePriority,
} from "@outpost/shared-model";
import type { EnqueueReport, NotEnqueued } from "../commands/enqueue-report.js";
import { whyCannotSign } from "../keys/why-cannot-sign.js";
import type { Replica } from "../sync/replica.js";
import type { Trust } from "../trust/trust-context.js";

/** A device as a write names it: the ID the admin chose it by, and its DeviceDoc's handle. */
export interface DeviceRef {
  deviceId: string;
  handle: DocHandle<DeviceDoc>;
}

/** A device an enqueue goes to, with its DeviceDoc's handle once this browser has loaded it. */
export interface EnqueueTarget {
  deviceId: string;
  handle: DocHandle<DeviceDoc> | undefined;
}

/** How an edit went: saved, or every problem that kept it from being written at all. */
export type EditOutcome = { saved: true } | { saved: false; problems: readonly string[] };

/**
 * What the writes need of trust: who signs now (or why nobody can), the fleet's verifier, and
 * when it learnt something.
 */
export type ActionTrust = Pick<Trust, "signing" | "verifier" | "learnt">;

/**
 * The writes that change what an agent runs, signed, and what shows who signed what. Without a
 * certified key the writes are refused with the reason (`blocked`), notes excepted.
 */
export interface SignedWrites {
  /**
   * Enqueues one command, with one ID, on every target, signed for each. Each device gets all of
   * it or none of it; the report names the devices left without it and why. A command the shared
   * model refuses is refused before any device is written.
   */
  enqueue(
    targets: readonly EnqueueTarget[],
    input: Omit<EnqueueInput, "id">,
  ): Promise<EnqueueReport>;
  /** Asks the agent to cancel (or stop) the command. */
  cancel(device: DeviceRef, id: CommandId): Promise<EditOutcome>;
  /** Asks the agent to run the command again. */
  retry(device: DeviceRef, id: CommandId): Promise<EditOutcome>;
  /** Sets the command's priority (last writer wins; concurrent values stay visible). */
  reprioritize(device: DeviceRef, id: CommandId, value: number): Promise<EditOutcome>;
  /** Adds an admin's note to the command's log (signed when the admin has a certified key). */
  note(device: DeviceRef, id: CommandId, text: string): Promise<EditOutcome>;
  /** Sets the policy settings in `patch`, each a signed register; nothing unless all are valid. */
  editPolicy(device: DeviceRef, patch: Partial<PolicySettings>): Promise<EditOutcome>;
  /** Why signed writes are refused now (reactive where the trust is), or `undefined`. */
  blocked(): string | undefined;
  /** Changes whenever a verdict may have changed (a certificate or revocation learnt). */
  learnt(): number;
  /** Who signed `item` in the device's document; `undefined` while the fleet's root is unknown. */
  verify(device: DeviceRef, item: SignedItem): Promise<SignatureVerdict | undefined>;
}

/** Why a selected device's document could not take a command. */
const NOT_LOADED = "its document is not in this browser yet";
const SAVED: EditOutcome = { saved: true };

/**
 * The writes that change what an agent runs (docs/ARCHITECTURE.md, "Trust"): each is drafted and
 * checked, signed for its device with the admin's certified key (WebCrypto is asynchronous, so
 * these are), then written in one change together with the key's certificate. Without a
 * certified key they are refused with the reason, except notes, which change nothing an agent
 * does and are written unsigned then (and shown as such).
 */
export function makeSignedWrites(
  replica: Pick<Replica, "change">,
  trust: ActionTrust,
  actor: () => Actor,
): SignedWrites {
  const signerNow = (): AdminSigner | { blocked: string } => {
    const state = trust.signing();
    if (state.kind === "ready" && state.signer !== undefined) return state.signer;
    return { blocked: whyCannotSign(state) ?? "no signing key" };
  };
  /** Signs what `prepare` drafts for `device` and writes it with the key's certificate. */
  const signed = async (
    device: DeviceRef,
    prepare: (signer: AdminSigner, deviceId: DeviceId) => Promise<(doc: DeviceDoc) => void>,
  ): Promise<EditOutcome> => {
    const signer = signerNow();
    if ("blocked" in signer) return { saved: false, problems: [signer.blocked] };
    try {
      const write = await prepare(signer, signedDeviceId(device));
      replica.change(device.handle, (doc) => {
        write(doc);
        recordSigner(doc, signer.certificate);
      });
      return SAVED;
    } catch (failure) {
      return { saved: false, problems: problemsOf(failure) };
    }
  };
  const intent = (device: DeviceRef, id: CommandId, body: Parameters<typeof draftIntent>[0]) =>
    signed(device, async (signer, deviceId) => {
      const request = await signIntent(signer, deviceId, id, draftIntent(body, actor()));
      return (doc) => void appendIntent(doc, id, request);
    });

  return {
    blocked: () => whyCannotSign(trust.signing()),
    learnt: () => trust.learnt(),

    async enqueue(targets, input) {
      if (targets.length === 0) return { kind: "refused", problem: "No device to enqueue on" };
      let draft: CommandDraft;
      try {
        // The same spec goes to every device: checked once, a bad one is refused before any
        // device is signed for or written.
        draft = draftCommand({ ...input, id: newCommandId() }, actor());
      } catch (failure) {
        return { kind: "refused", problem: messageOf(failure) };
      }
      const signer = signerNow();
      if ("blocked" in signer) return { kind: "refused", problem: signer.blocked };
      const enqueued: string[] = [];
      const notEnqueued: NotEnqueued[] = [];
      for (const { deviceId, handle } of targets) {
        if (handle === undefined || !handle.isReady()) {
          notEnqueued.push({ deviceId, reason: NOT_LOADED });
          continue;
        }
        try {
          // Signed for this device alone: a copy on another device does not verify there.
          const command = await signCommand(signer, signedDeviceId({ deviceId, handle }), draft);
          replica.change(handle, (doc) => {
            insertCommand(doc, command);
            recordSigner(doc, signer.certificate);
          });
          enqueued.push(deviceId);
        } catch (failure) {
          // A change that throws is not applied: this device has nothing of the command.
          notEnqueued.push({
            deviceId,
            reason: `writing its document failed: ${messageOf(failure)}`,
          });
        }
      }
      return { kind: "written", id: draft.spec.id, enqueued, notEnqueued };
    },

    cancel: (device, id) => intent(device, id, { type: "cancel-requested" as const }),
    retry: (device, id) => intent(device, id, { type: "retry-requested" as const }),

    async note(device, id, text) {
      if (!("blocked" in signerNow())) return intent(device, id, { type: "note" as const, text });
      try {
        replica.change(device.handle, (doc) => void addNote(doc, id, text, actor()));
        return SAVED;
      } catch (failure) {
        return { saved: false, problems: problemsOf(failure) };
      }
    },

    reprioritize: (device, id, value) =>
      signed(device, async (signer, deviceId) => {
        const register = await signPriority(signer, deviceId, id, draftPriority(value, actor()));
        return (doc) => writePriority(doc, id, register);
      }),

    async editPolicy(device, patch) {
      let registers: ReturnType<typeof draftPolicy>;
      try {
        registers = draftPolicy(patch, actor());
      } catch (failure) {
        return { saved: false, problems: problemsOf(failure) };
      }
      if (Object.keys(registers).length === 0) {
        return { saved: false, problems: ["No setting changed: nothing to save"] };
      }
      return signed(device, async (signer, deviceId) => {
        const signedRegisters = await signPolicy(signer, deviceId, registers);
        return (doc) => writePolicy(doc, signedRegisters);
      });
    },

    async verify(device, item) {
      const verifier = trust.verifier();
      if (verifier === undefined) return undefined;
      return verifier.verify(item, device.deviceId, device.handle.doc()?.signers);
    },
  };
}

/** The problems of a failed write, one per bad field when the shared model named them. */
export function problemsOf(failure: unknown): string[] {
  return failure instanceof ValidationFailed
    ? failure.problems.map((problem) => problem.message)
    : [messageOf(failure)];
}

/**
 * The device ID to sign for: the one the admin chose the device by, and only when its document
 * says the same (a signature is valid on one device alone; signing for an ID a document merely
 * claims would make one that fits another device).
 */
function signedDeviceId(device: DeviceRef): DeviceId {
  const deviceId = parseDeviceId(device.deviceId);
  const claimed = device.handle.doc()?.deviceId;
  if (claimed !== deviceId) {
    throw new Error(
      `its document names the device ${JSON.stringify(claimed)}, not ${deviceId}: not signing for it`,
    );
  }
  return deviceId;
}
