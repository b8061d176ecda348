import {
  type Command,
  type CommandId,
  type CommandState,
  commandSpecItem,
  type DeviceDoc,
  type DeviceId,
  type Intent,
  intentItem,
  isWaiting,
  PRIORITY,
  priorityItem,
  type QueueTrust,
  type SignedItem,
  type TrustVerifier,
} from "@outpost/shared-model";
import { NO_ROOT_PINNED, type TrustSource } from "../../trust/trust-status.js";
import {
  type AskedItem,
  describeVerdict,
  type Signers,
  VerdictMemo,
} from "../../trust/verdict-memo.js";

/** What the command engine asks before it plans a snapshot of the queue. */
export interface QueueGuard {
  /**
   * The verdicts the planner needs on `doc` (docs/ARCHITECTURE.md, "Trust"), or `undefined` while
   * the agent is still learning its root key: then nothing is planned.
   */
  check(
    doc: DeviceDoc,
    stateOf: (command: Command) => CommandState,
  ): Promise<QueueTrust | undefined>;
}

/** The verdicts of an agent with no root key: it refuses everything an admin asks. */
const REFUSE_ALL: QueueTrust = {
  specProblem: () => NO_ROOT_PINNED,
  intentProblem: () => NO_ROOT_PINNED,
  priorityOf: () => PRIORITY.default,
};

/**
 * Verifies, before each plan, what the planner will act on: the spec and priority register of
 * every waiting command and every unanswered cancel or retry request, against the pinned root.
 * Verdicts are remembered (see {@link VerdictMemo}), and a revocation learnt counts at the next
 * plan: a waiting command whose signer was revoked is then rejected `signer-revoked`.
 */
export class QueueVerdicts implements QueueGuard {
  readonly #trust: TrustSource;
  readonly #deviceId: DeviceId;
  #memo: VerdictMemo | undefined;
  #memoVerifier: TrustVerifier | undefined;
  #last:
    | { doc: DeviceDoc; verifier: TrustVerifier; generation: number; trust: QueueTrust }
    | undefined;

  constructor(trust: TrustSource, deviceId: DeviceId) {
    this.#trust = trust;
    this.#deviceId = deviceId;
  }

  async check(
    doc: DeviceDoc,
    stateOf: (command: Command) => CommandState,
  ): Promise<QueueTrust | undefined> {
    const status = this.#trust.status;
    if (status.kind === "awaiting") return undefined;
    if (status.kind === "absent") return REFUSE_ALL;
    const { verifier, generation } = status;
    const last = this.#last;
    if (last?.doc === doc && last.verifier === verifier && last.generation === generation) {
      return last.trust;
    }
    const memo = this.#memoFor(verifier);
    const entries = (Object.entries(doc.commands) as [CommandId, Command][]).map(
      ([id, command]) => ({ id, command, state: stateOf(command) }),
    );
    const unknown: AskedItem[] = [];
    for (const { id, command, state } of entries) askUnknown(memo, id, command, state, unknown);
    const verdictOf = await memo.verdicts(unknown, doc.signers as Signers);
    const specProblems = new Map<Command, string | undefined>();
    const priorities = new Map<Command, number>();
    const intentProblems = new Map<string, string | undefined>();
    for (const { id, command, state } of entries) {
      if (isWaiting(state)) {
        // The signature covers the spec's own ID: a signed spec copied under another key is a
        // replay of that command, and never runs.
        const verdict = command.spec.id === id ? verdictOf(command.spec) : undefined;
        const problem =
          verdict === undefined
            ? `signature-invalid: filed as ${id} but signed as command ${command.spec.id}`
            : verdict.ok
              ? undefined
              : describeVerdict(verdict);
        specProblems.set(command, problem);
        if (problem === undefined) {
          const trusted = verdictOf(command.priority).ok;
          priorities.set(command, trusted ? command.priority.value : PRIORITY.default);
        }
      }
      for (const intent of openRequests(state)) {
        const verdict = verdictOf(intent);
        const key = intentKey(id, intent);
        // The same event ID twice (a copy with other content): any untrusted copy taints it.
        if (!intentProblems.has(key) || verdict.ok === false)
          intentProblems.set(key, verdict.ok ? undefined : describeVerdict(verdict));
      }
    }
    const trust: QueueTrust = {
      specProblem: (command) => checked(specProblems, command, `spec of ${command.spec.id}`),
      intentProblem: (commandId, intent) =>
        checked(intentProblems, intentKey(commandId, intent), `request ${intent.id}`),
      priorityOf: (command) => priorities.get(command) ?? PRIORITY.default,
    };
    this.#last = { doc, verifier, generation, trust };
    return trust;
  }

  #memoFor(verifier: TrustVerifier): VerdictMemo {
    if (this.#memo === undefined || this.#memoVerifier !== verifier) {
      this.#memo = new VerdictMemo(verifier, this.#deviceId);
      this.#memoVerifier = verifier;
    }
    return this.#memo;
  }
}

/**
 * Adds to `unknown` what the plan reads of the command filed under `id` and `memo` remembers no
 * verdict on, to be verified before it plans (an unchanged queue adds nothing).
 */
function askUnknown(
  memo: VerdictMemo,
  id: CommandId,
  command: Command,
  state: CommandState,
  unknown: AskedItem[],
): void {
  const ask = (source: object, item: () => SignedItem) => {
    if (memo.known(source) === undefined) unknown.push({ source, item });
  };
  if (isWaiting(state) && command.spec.id === id) {
    const { spec, priority } = command;
    ask(spec, () => commandSpecItem(spec));
    ask(priority, () => priorityItem(id, priority));
  }
  for (const intent of openRequests(state)) ask(intent, () => intentItem(id, intent));
}

/** The cancel and retry requests the agent has not answered yet. */
function openRequests(state: CommandState): Intent[] {
  return state.requests.flatMap((request) =>
    request.answer === undefined ? [request.intent] : [],
  );
}

function intentKey(commandId: CommandId, intent: Intent): string {
  return `${commandId}\n${intent.id}`;
}

/** A verdict made for this snapshot; asking about anything else is a bug, never a yes. */
function checked<K>(
  verdicts: Map<K, string | undefined>,
  key: K,
  what: string,
): string | undefined {
  if (!verdicts.has(key)) throw new Error(`the ${what} was not verified before planning`);
  return verdicts.get(key);
}
