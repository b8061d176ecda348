import type { DocHandle } from "@automerge/automerge-repo";
import {
  type Actor,
  type AdminSigner,
  appendIntent,
  type CommandId,
  type DeviceDoc,
  type DeviceId,
  draftCommand,
  draftIntent,
  draftPolicy,
  draftPriority,
  type EnqueueInput,
  type EventId,
  type Intent,
  insertCommand,
  type PolicySettings,
  recordSigner,
  signCommand,
  signerPrincipal,
  signIntent,
  signPolicy,
  signPriority,
  writePolicy,
  writePriority,
} from "@outpost/shared-model";

/**
 * An admin writing into a device's DeviceDoc as the dashboard does (docs/ARCHITECTURE.md,
 * "Trust"): each write is drafted, signed for that device with the admin's certified key, then
 * written in one change together with the key's certificate. For tests, in process or through a
 * replica on a relay; `at` is the admin's clock (the wall clock unless given).
 */
export class SignedAdmin {
  readonly signer: AdminSigner;
  readonly #now: () => number;

  constructor(signer: AdminSigner, now: () => number = Date.now) {
    this.signer = signer;
    this.#now = now;
  }

  /** `admin:<name>` at the admin's clock now. */
  actor(): Actor {
    return { by: signerPrincipal(this.signer), at: this.#now() };
  }

  /** Enqueues one signed command; returns its ID. */
  async enqueue(handle: DocHandle<DeviceDoc>, input: EnqueueInput): Promise<CommandId> {
    const [id] = await this.enqueueAll(handle, [input]);
    return id as CommandId;
  }

  /** Enqueues signed commands in one change (an admin's batch); returns their IDs in order. */
  async enqueueAll(
    handle: DocHandle<DeviceDoc>,
    inputs: readonly EnqueueInput[],
  ): Promise<CommandId[]> {
    const device = deviceOf(handle);
    const drafts = await Promise.all(
      inputs.map((input) => signCommand(this.signer, device, draftCommand(input, this.actor()))),
    );
    handle.change((doc) => {
      for (const draft of drafts) insertCommand(doc, draft);
      recordSigner(doc, this.signer.certificate);
    });
    return drafts.map((draft) => draft.spec.id);
  }

  /** Asks the agent to cancel `id`; returns the intent's ID. */
  cancel(handle: DocHandle<DeviceDoc>, id: CommandId, reason?: string): Promise<EventId> {
    const body = reason === undefined ? {} : { reason };
    return this.#intend(handle, id, { type: "cancel-requested" as const, ...body });
  }

  /** Asks the agent to run `id` again; returns the intent's ID. */
  retry(handle: DocHandle<DeviceDoc>, id: CommandId): Promise<EventId> {
    return this.#intend(handle, id, { type: "retry-requested" as const });
  }

  /** Adds a note to `id`'s log; returns its ID. */
  note(handle: DocHandle<DeviceDoc>, id: CommandId, text: string): Promise<EventId> {
    return this.#intend(handle, id, { type: "note" as const, text });
  }

  /** Replaces `id`'s priority register with a signed one. */
  async reprioritize(handle: DocHandle<DeviceDoc>, id: CommandId, value: number): Promise<void> {
    const register = await signPriority(
      this.signer,
      deviceOf(handle),
      id,
      draftPriority(value, this.actor()),
    );
    handle.change((doc) => {
      writePriority(doc, id, register);
      recordSigner(doc, this.signer.certificate);
    });
  }

  /** Sets policy settings, each a signed register. */
  async editPolicy(handle: DocHandle<DeviceDoc>, patch: Partial<PolicySettings>): Promise<void> {
    const registers = await signPolicy(
      this.signer,
      deviceOf(handle),
      draftPolicy(patch, this.actor()),
    );
    handle.change((doc) => {
      writePolicy(doc, registers);
      recordSigner(doc, this.signer.certificate);
    });
  }

  async #intend(
    handle: DocHandle<DeviceDoc>,
    id: CommandId,
    body: Parameters<typeof draftIntent>[0],
  ): Promise<EventId> {
    const intent: Intent = await signIntent(
      this.signer,
      deviceOf(handle),
      id,
      draftIntent(body, this.actor()) as Intent,
    );
    handle.change((doc) => {
      appendIntent(doc, id, intent);
      recordSigner(doc, this.signer.certificate);
    });
    return intent.id;
  }
}

/** The device whose document `handle` is: what every signature names. */
function deviceOf(handle: DocHandle<DeviceDoc>): DeviceId {
  return handle.doc().deviceId;
}
