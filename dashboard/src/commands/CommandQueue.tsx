import type { DocHandle } from "@automerge/automerge-repo/slim";
import {
  type Command,
  type CommandId,
  type DeviceDoc,
  FoldCache,
  isTerminal,
} from "@outpost/shared-model";
import { createMemo, createSignal, For, type JSX, Show } from "solid-js";
import { Segmented } from "../ui/Segmented.js";
import { CommandItem } from "./CommandItem.js";
import { EnqueueForm } from "./EnqueueForm.js";

/** Statuses shown in the "open" filter: what may still happen. */
const isOpen = (status: string) => !isTerminal({ status } as { status: never });

/**
 * A device's command queue: every command with its state, its events (who asked what, and the
 * fact that answered), priority conflicts, and the actions an admin has (cancel, retry,
 * reprioritize), plus the form to enqueue a new one.
 */
export function CommandQueue(props: { handle: DocHandle<DeviceDoc>; doc: DeviceDoc }): JSX.Element {
  const [filter, setFilter] = createSignal<"open" | "all">("all");
  const [showForm, setShowForm] = createSignal(false);
  const folds = new FoldCache();
  const commands = createMemo(() => {
    // Reading each command's events and priority through the store subscribes this memo to
    // exactly what a state depends on; the state itself is folded from Automerge's own object.
    const list = Object.values(props.doc.commands) as Command[];
    const withState = list.map((command) => {
      void command.events.length;
      void command.priority.value;
      return {
        command,
        state: folds.stateOf(props.handle.doc().commands[command.spec.id as CommandId] ?? command),
      };
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
      <Show when={showForm()}>
        <EnqueueForm targets={[props.handle]} dependencyChoices={dependencyChoices()} />
      </Show>
      <Show when={commands().length > 0} fallback={<p class="muted">No commands.</p>}>
        <ol class="commands">
          <For each={commands()}>
            {(entry) => (
              <CommandItem handle={props.handle} command={entry.command} state={entry.state} />
            )}
          </For>
        </ol>
      </Show>
    </section>
  );
}
