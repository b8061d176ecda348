/**
 * What a hostile device writes through its own replica beyond what its agent collects: it owns its
 * DeviceDoc and day documents, so nothing checks their shape on the way to the admins. Written as
 * plain objects, past every check the shared model's mutators make, as such a device would.
 */
import type { Agent } from "@outpost/agent";
import { DEFAULT_RETRY_POLICY } from "@outpost/shared-model";
import { FORMULA_LEADS, type PayloadBook } from "./hostile-payloads.js";

/** The commands written, by ID, with what their state should be once folded. */
export const FORGED_COMMANDS = {
  ran: "cmd-hostile-ran",
  rejected: "cmd-hostile-rejected",
  deferred: "cmd-hostile-deferred",
  blocked: "cmd-hostile-blocked",
  superseded: "cmd-hostile-superseded",
  answered: "cmd-hostile-answered",
} as const;

/** How many commands {@link writeHostileRecords} writes: those above and one with a hostile ID. */
export const FORGED_COMMAND_COUNT = Object.keys(FORGED_COMMANDS).length + 1;

type Loose = Record<string, unknown>;

/**
 * Writes payloads into the device's DeviceDoc (commands, intents, facts, outcomes, priority and
 * asset conflicts, asset, policy, signers, its own `deviceId`) and its audit trail.
 */
export async function writeHostileRecords(agent: Agent, book: PayloadBook): Promise<void> {
  const now = Date.now();
  const by = `agent:${agent.deviceId}`;
  let eventNumber = 0;
  let commandNumber = 0;
  const event = (fields: Loose, author = by): Loose => ({
    id: `ev-hostile-${++eventNumber}`,
    at: now,
    by: author,
    ...fields,
  });
  const text = (field: string) => book.of(field);
  // Each kind starts with the next formula character: the commands' CSV meets all of them.
  const command = (name: string, id: string, events: Loose[]): Loose => ({
    spec: {
      id,
      kind: book.of(`commands.${name}.kind`, {
        lead: FORMULA_LEADS[commandNumber % FORMULA_LEADS.length],
      }),
      args: {},
      createdBy: text(`commands.${name}.createdBy`),
      createdAt: now - ++commandNumber,
      dependsOn: [],
      window: "any",
      retry: { ...DEFAULT_RETRY_POLICY },
    },
    priority: { value: 5, setBy: by, setAt: now },
    events,
  });
  const cancel = event({ type: "cancel-requested", reason: text("intents.cancel.reason") });
  const retry = event({ type: "retry-requested" }, text("intents.retry.by"));
  const hostileId = book.of("commands.id", { compact: true, lead: "" });

  agent.device.change((doc) => {
    const loose = doc as unknown as Loose & { commands: Loose; asset: Loose; policy: Loose };
    const ran = command("ran", FORGED_COMMANDS.ran, [
      event({ type: "note", text: text("intents.note.text") }, text("intents.note.by")),
      event({ type: "started", attempt: 1 }),
      event({
        type: "failed",
        outcome: {
          exitCode: 3,
          durationMs: 1500,
          stdout: `${text("outcome.stdout")}\nsecond line`,
          stderr: text("outcome.stderr"),
          error: text("outcome.error"),
        },
      }),
    ]);
    (ran.spec as Loose).args = {
      [text("commands.args.key")]: text("commands.args.value"),
      list: [text("commands.args.list")],
    };
    (ran.spec as Loose).signature = text("commands.signature");
    loose.commands[FORGED_COMMANDS.ran] = ran;
    loose.commands[FORGED_COMMANDS.rejected] = command("rejected", FORGED_COMMANDS.rejected, [
      event({ type: "rejected", reason: text("facts.rejected.reason") }),
    ]);
    loose.commands[FORGED_COMMANDS.deferred] = command("deferred", FORGED_COMMANDS.deferred, [
      event({
        type: "deferred",
        reason: text("facts.deferred.reason"),
        detail: text("facts.deferred.detail"),
      }),
    ]);
    loose.commands[FORGED_COMMANDS.blocked] = command("blocked", FORGED_COMMANDS.blocked, [
      event({
        type: "blocked",
        reason: text("facts.blocked.reason"),
        dependency: text("facts.blocked.dependency"),
      }),
    ]);
    loose.commands[FORGED_COMMANDS.superseded] = command("superseded", FORGED_COMMANDS.superseded, [
      event({ type: "superseded", winner: text("facts.superseded.winner") }),
    ]);
    loose.commands[FORGED_COMMANDS.answered] = command("answered", FORGED_COMMANDS.answered, [
      cancel,
      event({ type: "intent-rejected", answers: cancel.id, reason: text("facts.intent.reason") }),
      retry,
      event({ type: "retry-declined", answers: retry.id, reason: text("facts.retry.reason") }),
    ]);
    loose.commands[hostileId] = command("hostileId", hostileId, []);

    // The assignee comes from writeConflicts.
    Object.assign(loose.asset, {
      location: text("asset.location"),
      lifecycle: text("asset.lifecycle"),
      tags: [text("asset.tags")],
      notes: text("asset.notes"),
      updatedBy: text("asset.updatedBy"),
      updatedAt: now,
    });
    loose.policy.criticalProcessPatterns = {
      value: [text("policy.criticalProcessPatterns")],
      setBy: text("policy.setBy"),
      setAt: now,
      signature: text("policy.signature"),
    };
    const keyId = book.of("signers.keyId", { compact: true });
    (loose.signers as Loose)[keyId] = {
      admin: text("signers.admin"),
      publicKey: text("signers.publicKey"),
      keyId,
      issuedAt: now,
      signature: text("signers.signature"),
    };
    loose.deviceId = book.of("deviceDoc.deviceId", { compact: true });
  });
  writeConflicts(agent, book, now);

  await agent.days.audit(
    {
      at: now,
      actor: text("audit.actor"),
      action: text("audit.action"),
      detail: text("audit.detail"),
    },
    {
      at: now + 1,
      actor: text("audit.second.actor"),
      action: text("audit.second.action"),
      // Two lines starting with `=`: papaparse's own escapeFormulae let such a cell through.
      detail: `${book.of("audit.second.detail", { lead: "=" })}\nsecond line`,
    },
  );
}

/**
 * Two values written at once, as two admins offline would: a priority and an assignee each with
 * two registers that the dashboard shows side by side, with who set them.
 */
function writeConflicts(agent: Agent, book: PayloadBook, now: number): void {
  const before = agent.device.heads();
  const write = (side: string, value: number) => (doc: unknown) => {
    const loose = doc as { commands: Record<string, Loose>; asset: Loose };
    const ran = loose.commands[FORGED_COMMANDS.ran];
    // Compact: a register whose author is over 200 characters is not shown as a conflict.
    const setBy = book.of(`conflicts.priority.${side}`, { compact: true });
    if (ran) ran.priority = { value, setBy, setAt: now };
    loose.asset.assignee = book.of(`conflicts.assignee.${side}`);
  };
  agent.device.change(write("first", 7));
  agent.device.changeAt(before, write("second", 2));
}
