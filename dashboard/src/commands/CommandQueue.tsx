import {
  type Command,
  type CommandId,
  type CommandState,
  type DeviceDoc,
  type EnqueueInput,
  isTerminal,
  liveCommands,
  type PriorityRegister,
} from "@outpost/shared-model";
import { createMemo, createSignal, For, type JSX, Show } from "solid-js";
import type { EditOutcome } from "../device/signed-writes.js";
import type { VerifyItem } from "../trust/create-verdict.js";
import { Segmented } from "../ui/Segmented.js";
import { CommandItem } from "./CommandItem.js";
import { EnqueueForm } from "./EnqueueForm.js";
import type { EnqueueReport } from "./enqueue-report.js";

/** Statuses shown in the "open" filter: what may still happen. */
const isOpen = (status: string) => !isTerminal({ status } as { status: never });

/** What the queue asks of its page: reads the store cannot give, and every write. */
export interface QueueActions {
  /** The command's state, folded from the document; the store only says when to ask again. */
  stateOf(command: Command): CommandState;
  /** Every priority concurrent admins left on the command; follows the document's changes. */
  priorityConflicts(id: CommandId): readonly PriorityRegister[];
  /** Signs and enqueues a new command on this device. */
  enqueue(input: Omit<EnqueueInput, "id">): Promise<EnqueueReport>;
  cancel(id: CommandId): Promise<EditOutcome>;
  retry(id: CommandId): Promise<EditOutcome>;
  reprioritize(id: CommandId, value: number): Promise<EditOutcome>;
  /** Why signed writes are refused now (no certified key), or `undefined`; reactive. */
  blocked(): string | undefined;
  /** Who signed an item of this device's document. */
  verify: VerifyItem;
  /** Changes whenever a verdict may have changed (a revocation learnt). */
  learnt(): number;
}

/**
 * A device's command queue: every command with who signed it, its state, its events (who asked
 * what, and the fact that answered), priority conflicts, and the actions an admin has (cancel,
 * retry, reprioritize), plus the form to enqueue a new one. Without a certified signing key the
 * actions are off, and the reason is said once at the top.
 */
export function CommandQueue(props: { doc: DeviceDoc; actions: QueueActions }): JSX.Element {
  const [filter, setFilter] = createSignal<"open" | "all">("all");
  const [showForm, setShowForm] = createSignal(false);
  const commands = createMemo(() => {
    // Reading each command's events and priority through the store subscribes this memo to
    // exactly what a state depends on; the state itself is folded from Automerge's own object.
    const list = liveCommands(props.doc.commands).map(([, command]) => command);
    const withState = list.map((command) => {
      void command.events.length;
      void command.priority.value;
      return { command, state: props.actions.stateOf(command) };
    });
    return withState
      .filter((entry) => filter() === "all" || isOpen(entry.state.status))
      .sort(
        (a, b) =>
          b.command.spec.createdAt - a.command.spec.createdAt ||
          (a.command.spec.id < b.command.spec.id ? 1 : -1),
      );
  });
  const dependencyChoices = () =>
    commands()
      .filter((entry) => isOpen(entry.state.status) || entry.state.status === "succeeded")
      .map((entry) => ({
        id: entry.command.spec.id,
        label: `${entry.command.spec.kind} (${entry.state.status}) ${entry.command.spec.id.slice(0, 12)}`,
      }));
  return (
    <section class="card wide" aria-labelledby="commands-title">
      <div class="section-head">
        <h2 id="commands-title">Commands</h2>
        <Segmented
          legend="Which commands"
          options={[
            { value: "all", label: "All" },
            { value: "open", label: "Open" },
          ]}
          value={filter()}
          onChange={setFilter}
        />
        <button type="button" aria-expanded={showForm()} onClick={() => setShowForm(!showForm())}>
          {showForm() ? "Close" : "Enqueue a command"}
        </button>
      </div>
      <Show when={props.actions.blocked()}>
        {(reason) => (
          <p class="blocked" role="note" data-testid="commands-blocked">
            {reason()}
          </p>
        )}
      </Show>
      <Show when={showForm()}>
        <EnqueueForm
          targetCount={1}
          blocked={props.actions.blocked()}
          dependencyChoices={dependencyChoices()}
          onEnqueue={(input) => props.actions.enqueue(input)}
        />
      </Show>
      <Show when={commands().length > 0} fallback={<p class="muted">No commands.</p>}>
        <ol class="commands">
          <For each={commands()}>
            {(entry) => {
              const id = entry.command.spec.id as CommandId;
              return (
                <CommandItem
                  command={entry.command}
                  state={entry.state}
                  priorities={props.actions.priorityConflicts(id)}
                  onCancel={() => props.actions.cancel(id)}
                  onRetry={() => props.actions.retry(id)}
                  onReprioritize={(value) => props.actions.reprioritize(id, value)}
                  blocked={props.actions.blocked()}
                  verify={props.actions.verify}
                  learnt={() => props.actions.learnt()}
                />
              );
            }}
          </For>
        </ol>
      </Show>
    </section>
  );
}
