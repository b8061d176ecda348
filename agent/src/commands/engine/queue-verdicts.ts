import {
  type ArchiveMonth,
  type Command,
  type CommandEntry,
  type CommandId,
  type CommandState,
  commandSpecItem,
  type DeviceDoc,
  type DeviceId,
  type Intent,
  intentItem,
  isArchived,
  isWaiting,
  liveCommand,
  openIntents,
  PRIORITY,
  plainCommands,
  priorityItem,
  type QueueTrust,
  type SignatureVerdict,
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

/** What the command engine needs of the agent's record of what it archived. */
export interface ArchivedByThisAgent {
  /** The month this agent archived the command into, or `undefined` when it did not. */
  monthOf(id: CommandId): ArchiveMonth | undefined;
}

/** The problem named when a command this agent archived reappears live. */
export const ARCHIVED_REPLAY = "archived-replay";

/** The verdicts of an agent with no root key: it refuses everything an admin asks. */
const REFUSE_ALL: QueueTrust = {
  specProblem: () => NO_ROOT_PINNED,
  intentProblem: () => NO_ROOT_PINNED,
  priorityOf: () => PRIORITY.default,
};

/** What a plan is told about one command, as of one state of the agent's trust. */
interface CommandVerdicts {
  verifier: TrustVerifier;
  /** The trust generation they were made in: a later revocation makes them stale. */
  generation: number;
  /** Whether the command was waiting (only then is its spec asked about). */
  waiting: boolean;
  /** Why its spec is not to be run; `undefined` when it may. */
  specProblem: string | undefined;
  priority: number;
  /** Why each open request is refused (`undefined`: trusted), by event ID. */
  requests: ReadonlyMap<string, string | undefined>;
}

/**
 * Verifies, before each plan, what the planner will act on: the spec and priority register of
 * every waiting command and every unanswered cancel or retry request, against the pinned root.
 * Each signature's verdict is remembered (see {@link VerdictMemo}), and so is what it makes of each
 * command object, until the trust changes: an unchanged queue costs a lookup per command. A
 * revocation learnt counts at the next plan: a waiting command whose signer was revoked is then
 * rejected `signer-revoked`.
 */
export class QueueVerdicts implements QueueGuard {
  readonly #trust: TrustSource;
  readonly #deviceId: DeviceId;
  readonly #archived: ArchivedByThisAgent | undefined;
  /** By command object; Automerge gives a command a new object whenever it changes. */
  readonly #byCommand = new WeakMap<Command, CommandVerdicts>();
  #memo: VerdictMemo | undefined;
  #last:
    | { doc: DeviceDoc; verifier: TrustVerifier; generation: number; trust: QueueTrust }
    | undefined;

  /**
   * @param archived what this agent archived (its `ArchiveRecord`): only those archive marks are
   *   trusted, and a live copy of one of those commands never runs. Without it, every mark is.
   */
  constructor(trust: TrustSource, deviceId: DeviceId, archived?: ArchivedByThisAgent) {
    this.#trust = trust;
    this.#deviceId = deviceId;
    this.#archived = archived;
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
    const current = (command: Command): CommandVerdicts | undefined => {
      const verdicts = this.#byCommand.get(command);
      // Never older than this check's trust; a newer one only knows of more revocations.
      return verdicts?.verifier === verifier && verdicts.generation >= generation
        ? verdicts
        : undefined;
    };
    const pending: { id: CommandId; command: Command; state: CommandState }[] = [];
    const unknown: AskedItem[] = [];
    // Requests written to archived commands (the planner answers them): few, checked each time.
    const archivedRequests: { id: CommandId; intent: Intent }[] = [];
    const commands = plainCommands(doc.commands);
    for (const [id, command] of Object.entries(commands) as [CommandId, CommandEntry][]) {
      if (isArchived(command)) {
        for (const intent of openIntents(command.events)) {
          archivedRequests.push({ id, intent });
          if (memo.known(intent) === undefined)
            unknown.push({ source: intent, item: () => intentItem(id, intent) });
        }
        continue;
      }
      if (current(command) !== undefined) continue;
      const state = stateOf(command);
      askUnknown(memo, id, command, state, unknown);
      pending.push({ id, command, state });
    }
    const verdictOf = await memo.verdicts(unknown, doc.signers as Signers);
    /** This snapshot's verdicts that cannot be remembered (a certificate may still come). */
    const unremembered = new Map<Command, CommandVerdicts>();
    for (const { id, command, state } of pending) {
      const made = commandVerdicts(id, command, state, verdictOf);
      const verdicts = { verifier, generation, ...made.verdicts };
      if (made.final) this.#byCommand.set(command, verdicts);
      else unremembered.set(command, verdicts);
    }
    const of = (command: Command, what: string): CommandVerdicts => {
      const verdicts = unremembered.get(command) ?? current(command);
      // Asking about anything this check did not verify is a bug, never a yes.
      if (verdicts === undefined) throw new Error(`the ${what} was not verified before planning`);
      return verdicts;
    };
    const onArchived = new Map<string, string | undefined>();
    for (const { intent } of archivedRequests) {
      const verdict = verdictOf(intent);
      if (!onArchived.has(intent.id) || !verdict.ok)
        onArchived.set(intent.id, verdict.ok ? undefined : describeVerdict(verdict));
    }
    const archived = this.#archived;
    const trust: QueueTrust = {
      specProblem: (command) => {
        const verdicts = of(command, `spec of ${command.spec.id}`);
        if (!verdicts.waiting) throw new Error(`${command.spec.id} is not waiting`);
        const month = archived?.monthOf(command.spec.id);
        // Written back after this agent archived it (by whoever can write the document): the
        // command has run its course here and never runs again.
        if (month !== undefined)
          return `${ARCHIVED_REPLAY}: this agent archived ${command.spec.id} (archive ${month}); a copy written back never runs`;
        return verdicts.specProblem;
      },
      archiveTrusted: (commandId) =>
        archived === undefined || archived.monthOf(commandId) !== undefined,
      intentProblem: (commandId, intent) => {
        const entry = commands[commandId];
        if (entry !== undefined && isArchived(entry)) {
          if (!onArchived.has(intent.id)) {
            throw new Error(`the request ${intent.id} was not verified before planning`);
          }
          return onArchived.get(intent.id);
        }
        const requests = of(commandOf(doc, commandId), `request ${intent.id}`).requests;
        if (!requests.has(intent.id)) {
          throw new Error(`the request ${intent.id} was not verified before planning`);
        }
        return requests.get(intent.id);
      },
      priorityOf: (command) => of(command, `priority of ${command.spec.id}`).priority,
    };
    this.#last = { doc, verifier, generation, trust };
    return trust;
  }

  #memoFor(verifier: TrustVerifier): VerdictMemo {
    if (this.#memo?.verifier !== verifier) this.#memo = new VerdictMemo(verifier, this.#deviceId);
    return this.#memo;
  }
}

/**
 * What the plan is told about the command filed under `id`, from the signatures' verdicts, and
 * whether that is final (no verdict waits on a certificate that may still come).
 */
function commandVerdicts(
  id: CommandId,
  command: Command,
  state: CommandState,
  verdictOf: (source: object) => SignatureVerdict,
): { verdicts: Omit<CommandVerdicts, "verifier" | "generation">; final: boolean } {
  let final = true;
  const read = (source: object): SignatureVerdict => {
    const verdict = verdictOf(source);
    if (!verdict.ok && verdict.problem === "signer-unknown") final = false;
    return verdict;
  };
  const waiting = isWaiting(state);
  let specProblem: string | undefined;
  let priority: number = PRIORITY.default;
  if (waiting) {
    // The signature covers the spec's own ID: a signed spec copied under another key is a
    // replay of that command, and never runs.
    const verdict = command.spec.id === id ? read(command.spec) : undefined;
    specProblem =
      verdict === undefined
        ? `signature-invalid: filed as ${id} but signed as command ${command.spec.id}`
        : verdict.ok
          ? undefined
          : describeVerdict(verdict);
    if (specProblem === undefined && read(command.priority).ok) priority = command.priority.value;
  }
  const requests = new Map<string, string | undefined>();
  for (const intent of openRequests(state)) {
    const verdict = read(intent);
    // The same event ID twice (a copy with other content): any untrusted copy taints it.
    if (!requests.has(intent.id) || !verdict.ok)
      requests.set(intent.id, verdict.ok ? undefined : describeVerdict(verdict));
  }
  return { verdicts: { waiting, specProblem, priority, requests }, final };
}

/**
 * Adds to `unknown` what the plan reads of the command filed under `id` and `memo` remembers no
 * verdict on, to be verified before it plans.
 */
function askUnknown(
  memo: VerdictMemo,
  id: CommandId,
  command: Command,
  state: CommandState,
  unknown: AskedItem[],
): void {
  if (isWaiting(state) && command.spec.id === id) {
    const { spec, priority } = command;
    if (memo.known(spec) === undefined) {
      unknown.push({ source: spec, item: () => commandSpecItem(spec) });
    }
    if (memo.known(priority) === undefined) {
      unknown.push({ source: priority, item: () => priorityItem(id, priority) });
    }
  }
  for (const intent of openRequests(state)) {
    if (memo.known(intent) === undefined) {
      unknown.push({ source: intent, item: () => intentItem(id, intent) });
    }
  }
}

/** The cancel and retry requests the agent has not answered yet. */
function openRequests(state: CommandState): Intent[] {
  return state.requests.flatMap((request) =>
    request.answer === undefined ? [request.intent] : [],
  );
}

function commandOf(doc: DeviceDoc, id: CommandId): Command {
  const command = liveCommand(doc.commands, id);
  if (command === undefined) throw new Error(`no live command ${id} in the snapshot verified`);
  return command;
}
