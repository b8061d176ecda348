import type { DocHandle, Repo } from "@automerge/automerge-repo";
import {
  type Actor,
  type AuditEntry,
  type Command,
  type CommandId,
  type CommandSpec,
  type CommandState,
  type DeviceDoc,
  type EventId,
  type FactInput,
  FoldCache,
  type Logger,
  liveCommand,
  liveCommands,
  nextAutomaticAttemptAt,
  type Policy,
  plainEntry,
  type QueueDecision,
  type QueueTrust,
  type RunnableCommand,
  type RunOutcome,
  recordFact,
} from "@outpost/shared-model";
import type { LoadWatch } from "../execution/load-watch.js";
import { deferralFact } from "../gates/device-gates.js";
import type { CommandKind, KindContext } from "../kinds/command-kind.js";
import type { GateCheck } from "./agent-gates.js";
import { auditEntryForFact } from "./fact-audit.js";
import type { QueueGuard } from "./queue-verdicts.js";
import { VerifiedPlanner } from "./verified-planner.js";

/** A command this agent is running now. */
interface Running {
  kind: CommandKind;
  abort: AbortController;
  /** The cancel intent being honoured, once one is. */
  cancelledBy?: EventId;
}

/** What the engine needs; every part injectable. */
export interface CommandEngineOptions {
  device: DocHandle<DeviceDoc>;
  repo: Repo;
  kinds: readonly CommandKind[];
  /** `agent:<deviceId>`: who the facts are by. */
  actor: string;
  now: () => number;
  random?: () => number;
  /** The device policy in force, validated. */
  policy: () => Readonly<Policy>;
  /** What a kind may use, for one command (so the processes it spawns can be tracked). */
  kindContext: (policy: Readonly<Policy>, commandId: CommandId) => KindContext;
  /**
   * The device gates (window, load, critical operations, locks, concurrency) for one evaluation;
   * called once per evaluation that has candidates, then asked about each.
   */
  gates: () => Promise<GateCheck> | GateCheck;
  /**
   * What the agent trusts of what admins wrote (signatures, docs/ARCHITECTURE.md, "Trust"),
   * verified before each plan: `QueueVerdicts` in the agent.
   */
  trust: QueueGuard;
  logger: Logger;
  /** Receives an audit entry for every fact recorded (the agent appends it to the day document). */
  audit?: (entry: AuditEntry) => void;
  /** Watches the system load around one run, for the outcome's `metrics`. */
  watchLoad?: () => LoadWatch;
}

/**
 * The non-intrusive command engine (ARCHITECTURE.md, "Commands"): the queue is the DeviceDoc's
 * `commands`, planned by shared-model's `planQueue`; the engine records the planner's decisions,
 * validates each new command against its kind, asks the device gates, and runs what passes,
 * recording every step as a fact. `started` is flushed to disk before anything is spawned.
 */
export class CommandEngine {
  readonly #options: CommandEngineOptions;
  /** States of unchanged commands, across evaluations (each fact changes only its command). */
  readonly #folds = new FoldCache();
  /** Plans on verified snapshots, reusing the last plan while it holds. */
  readonly #planner: VerifiedPlanner;
  /** The snapshot {@link recoverInterrupted} last scanned. */
  #scannedForInterrupted: DeviceDoc | undefined;
  readonly #running = new Map<CommandId, Running>();
  readonly #finished = new Set<Promise<void>>();
  #evaluating: Promise<void> | undefined;
  /** Evaluations and {@link whileNotPlanning} work, one at a time. */
  #turn: Promise<unknown> = Promise.resolve();
  #again = false;
  #stopping = false;

  constructor(options: CommandEngineOptions) {
    this.#options = options;
    this.#planner = new VerifiedPlanner({
      device: options.device,
      guard: options.trust,
      stateOf: this.#folds.stateOf,
      now: options.now,
    });
  }

  /**
   * A command `running` that this process is not running was started by a previous process that
   * died (or stopped) under it: it becomes `interrupted`, and is scheduled again only when its
   * kind is idempotent and attempts remain. Called at start-up and on every evaluation, because
   * the `started` fact may reach this process only later, by sync: the relay can have it before
   * a killed agent's flush reached its own disk.
   */
  recoverInterrupted(): void {
    const { device } = this.#options;
    // Nothing can have started behind our back without a new document snapshot, and commands
    // leave #running only with a fact recorded (or after clearing this): skip the scan of the
    // whole queue on evaluations that find the document as the last scan did.
    if (device.doc() === this.#scannedForInterrupted) return;
    this.#scannedForInterrupted = device.doc();
    const now = this.#options.now();
    for (const [id, command] of liveCommands(device.doc().commands)) {
      const state = this.#folds.stateOf(command);
      if (state.status !== "running" || this.#running.has(id)) continue;
      this.#interrupted(id, this.#kind(command.spec.kind), now);
    }
  }

  /** Records `interrupted`, then a retry when the kind is idempotent and attempts remain. */
  #interrupted(id: CommandId, kind: CommandKind | undefined, now: number): void {
    this.#record(id, { type: "interrupted" });
    const spec = liveCommand(this.#options.device.doc().commands, id)?.spec;
    const retryAt =
      kind?.defaults.idempotent && spec
        ? nextAutomaticAttemptAt(
            this.#stateOf(id),
            spec.retry,
            now,
            this.#options.random ?? Math.random,
          )
        : undefined;
    if (retryAt !== undefined) this.#record(id, { type: "retry-scheduled", notBefore: retryAt });
  }

  /** The state of a command, folded once per command object (the engine's cache). */
  readonly stateOf = (command: Command): CommandState => this.#folds.stateOf(command);

  /** Re-plans the queue and starts what may start; calls made while one runs coalesce into one more. */
  evaluate(): Promise<void> {
    if (this.#evaluating) {
      this.#again = true;
      return this.#evaluating;
    }
    this.#evaluating = (async () => {
      do {
        this.#again = false;
        await this.#inTurn(() => this.#evaluateOnce());
      } while (this.#again);
    })().finally(() => {
      this.#evaluating = undefined;
    });
    return this.#evaluating;
  }

  /**
   * Runs `work` between evaluations, never during one (archiving: a plan must not see a command
   * half archived), then evaluates again.
   */
  async whileNotPlanning<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await this.#inTurn(work);
    } finally {
      if (!this.#stopping) void this.evaluate();
    }
  }

  #inTurn<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#turn.then(work);
    this.#turn = run.catch(() => undefined);
    return run;
  }

  /** Stops every interruptible command under way (the agent is stopping) and waits for the rest. */
  async stop(): Promise<void> {
    this.#stopping = true;
    for (const running of this.#running.values()) {
      if (running.kind.defaults.interruptible) running.abort.abort();
    }
    await this.idle();
  }

  /** Waits for every command under way to finish and be recorded (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#finished.size > 0 || this.#evaluating) {
      await Promise.all([...this.#finished, this.#evaluating]);
    }
  }

  async #evaluateOnce(): Promise<void> {
    this.recoverInterrupted();
    const verified = await this.#planner.verified();
    // Still learning its root key: nothing an admin asked is acted on, nor refused, yet.
    if (verified === undefined) return;
    this.#honourCancels(verified.doc, verified.trust);
    let plan = await this.#planner.plan();
    if (plan !== undefined && plan.decisions.length > 0) {
      this.#recordAll(plan.decisions);
      // Planned again: the recorded decisions (a cancel, a supersession) change who may run.
      plan = await this.#planner.plan();
    }
    if (plan === undefined) return;
    const candidates = plan.runnable.filter((candidate) => !this.#running.has(candidate.id));
    if (candidates.length === 0 && plan.waiting.length === 0) return;
    const policy = this.#options.policy();
    // Facts about waiting commands go into the document together: one change for a queue of
    // 5,000 that the window holds back, not 5,000 changes (and their history) per evaluation.
    const facts: QueueDecision[] = [];
    // Held back by time or by dependencies (the gates after validation): validated once, and
    // the reason recorded when it changes, so an admin sees why a command has not run.
    const commands = this.#options.device.doc().commands;
    for (const waiting of plan.waiting) {
      const state = this.#stateOf(waiting.id);
      const spec = liveCommand(commands, waiting.id)?.spec;
      // A retry's wait is its own state (with its time): a `deferred` fact would replace it.
      if (spec === undefined || state.status === "retry-wait") continue;
      if (state.status === "pending") {
        const kind = await this.#admit(waiting.id, spec, policy, facts);
        if (kind === undefined) continue;
      }
      const deferral = deferralFact(waiting.id, state, {
        open: false,
        reason: waiting.reason,
        detail: waiting.detail,
      });
      if (deferral) facts.push(deferral);
    }
    if (candidates.length === 0) {
      this.#recordAll(facts);
      return;
    }
    const gates = await this.#options.gates();
    for (const candidate of candidates) {
      const kind =
        candidate.state.status === "pending"
          ? await this.#admit(candidate.id, candidate.command.spec, policy, facts)
          : this.#kind(candidate.command.spec.kind);
      if (kind === undefined) {
        // Accepted earlier by an agent that knew the kind: rejected now, naming what it knows.
        if (candidate.state.status !== "pending") {
          facts.push(this.#unknownKind(candidate.id, candidate.command.spec.kind));
        }
        continue;
      }
      const checked = gates(candidate, kind, this.#running);
      const gate = checked instanceof Promise ? await checked : checked;
      if (!gate.open) {
        const deferral = deferralFact(candidate.id, candidate.state, gate);
        if (deferral) facts.push(deferral);
        continue;
      }
      this.#recordAll(facts.splice(0));
      await this.#start(candidate, kind, policy);
    }
    this.#recordAll(facts);
  }

  /**
   * Validation, the first gate, for a pending command: `accepted`, or `rejected` naming the
   * problem (an unknown kind, bad arguments), pushed onto `facts`. The kind when accepted.
   */
  async #admit(
    id: CommandId,
    spec: CommandSpec,
    policy: Readonly<Policy>,
    facts: QueueDecision[],
  ): Promise<CommandKind | undefined> {
    const kind = this.#kind(spec.kind);
    if (kind === undefined) {
      facts.push(this.#unknownKind(id, spec.kind));
      return undefined;
    }
    // A kind must not throw; if one does, the command is rejected rather than the whole
    // evaluation failing on it again and again.
    const problem = await kind
      .validate(spec.args, this.#options.kindContext(policy, id))
      .catch((error: unknown) => `${kind.name} failed to validate it: ${messageOf(error)}`);
    facts.push({
      commandId: id,
      fact: problem === undefined ? { type: "accepted" } : { type: "rejected", reason: problem },
    });
    return problem === undefined ? kind : undefined;
  }

  #unknownKind(id: CommandId, kind: string): QueueDecision {
    const known = this.#options.kinds.map((k) => k.name).join(", ");
    return {
      commandId: id,
      fact: {
        type: "rejected",
        reason: `unknown kind ${JSON.stringify(kind)}; this agent knows ${known}`,
      },
    };
  }

  async #start(
    candidate: RunnableCommand,
    kind: CommandKind,
    policy: Readonly<Policy>,
  ): Promise<void> {
    const { device, repo } = this.#options;
    // Known as ours before `started` exists, so no evaluation takes it for a dead process's.
    const running: Running = { kind, abort: new AbortController() };
    this.#running.set(candidate.id, running);
    this.#record(candidate.id, {
      type: "started",
      attempt: this.#stateOf(candidate.id).attempts + 1,
    });
    try {
      // On disk before anything runs: after a crash, this is how the agent knows it may have run.
      await repo.flush([device.documentId]);
    } catch (error) {
      // Not run: the next evaluation records it `interrupted`, and the retry rules apply.
      this.#running.delete(candidate.id);
      this.#scannedForInterrupted = undefined;
      throw error;
    }
    this.#options.logger.info(
      { commandId: candidate.id, kind: kind.name },
      `running ${kind.name} ${candidate.id}`,
    );
    const load = this.#options.watchLoad?.();
    const finished = kind
      .run(
        candidate.command.spec.args,
        this.#options.kindContext(policy, candidate.id),
        running.abort.signal,
      )
      .catch(
        (error: unknown): RunOutcome => ({
          exitCode: null,
          durationMs: 0,
          error: `${kind.name} failed inside the agent: ${messageOf(error)}`,
        }),
      )
      .then(async (run) => {
        const metrics = await load?.finish();
        const outcome = metrics ? { ...run, metrics: { ...run.metrics, ...metrics } } : run;
        this.#running.delete(candidate.id);
        if (this.#stopping && running.abort.signal.aborted && running.cancelledBy === undefined) {
          // The agent is stopping, not the command failing: as after a crash, minus the crash.
          this.#interrupted(candidate.id, kind, this.#options.now());
          return;
        }
        if (running.cancelledBy !== undefined) {
          this.#record(candidate.id, { type: "cancelled", answers: running.cancelledBy });
          return;
        }
        const ok = outcome.exitCode === 0 && outcome.error === undefined;
        this.#record(
          candidate.id,
          ok ? { type: "succeeded", outcome } : { type: "failed", outcome },
        );
        if (!ok) {
          const retryAt = nextAutomaticAttemptAt(
            this.#stateOf(candidate.id),
            candidate.command.spec.retry,
            this.#options.now(),
            this.#options.random ?? Math.random,
          );
          if (retryAt !== undefined)
            this.#record(candidate.id, { type: "retry-scheduled", notBefore: retryAt });
        }
      })
      .finally(() => {
        this.#finished.delete(finished);
        if (!this.#stopping) void this.evaluate();
      });
    this.#finished.add(finished);
  }

  /**
   * Trusted cancel intents on running commands, as `doc` has them: stop an interruptible kind,
   * else cancel-too-late. An untrusted one is left for the planner, which answers it
   * `intent-rejected`; it stops nothing.
   */
  #honourCancels(doc: DeviceDoc, trust: QueueTrust): void {
    for (const [id, running] of this.#running) {
      if (running.cancelledBy !== undefined) continue;
      const command = liveCommand(doc.commands, id);
      if (command === undefined) continue;
      const open = this.#folds
        .stateOf(command)
        .requests.find(
          (request) =>
            request.intent.type === "cancel-requested" &&
            request.answer === undefined &&
            trust.intentProblem(id, request.intent) === undefined,
        );
      if (open === undefined) continue;
      if (running.kind.defaults.interruptible) {
        running.cancelledBy = open.intent.id;
        running.abort.abort();
      } else {
        this.#record(id, { type: "cancel-too-late", answers: open.intent.id });
      }
    }
  }

  #kind(name: string): CommandKind | undefined {
    return this.#options.kinds.find((kind) => kind.name === name);
  }

  #stateOf(id: CommandId): CommandState {
    const command = liveCommand(this.#options.device.doc().commands, id);
    if (command === undefined) throw new Error(`command ${id} vanished from the device document`);
    return this.#folds.stateOf(command);
  }

  #record(id: CommandId, fact: FactInput): void {
    this.#recordAll([{ commandId: id, fact }]);
  }

  /** Records `facts` in one change, and their audit entries. */
  #recordAll(facts: readonly QueueDecision[]): void {
    if (facts.length === 0) return;
    const actor: Actor = { by: this.#options.actor, at: this.#options.now() };
    this.#options.device.change((doc) => {
      for (const { commandId, fact } of facts) recordFact(doc, commandId, fact, actor);
    });
    const audit = this.#options.audit;
    if (audit === undefined) return;
    const commands = this.#options.device.doc().commands;
    for (const { commandId, fact } of facts) {
      const stored = commands[commandId];
      const command = stored && plainEntry(stored);
      if (command) audit(auditEntryForFact(commandId, command, fact, actor.at, actor.by));
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
