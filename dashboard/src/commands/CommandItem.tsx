import {
  type Command,
  type CommandEvent,
  type CommandState,
  isIntent,
  isTerminal,
  PRIORITY,
  type PriorityRegister,
} from "@outpost/shared-model";
import { createSignal, For, type JSX, Show } from "solid-js";
import { formatTime } from "../ui/format.js";
import { describeEvent } from "./describe-event.js";

/**
 * One command: spec, state, priority (with any conflict), events, and the admin's actions. A view:
 * the page writes what the buttons ask for.
 */
export function CommandItem(props: {
  command: Command;
  state: CommandState;
  /** Every priority concurrent admins left on the command; more than one is a conflict. */
  priorities: readonly PriorityRegister[];
  onCancel: () => void;
  onRetry: () => void;
  onReprioritize: (value: number) => void;
}): JSX.Element {
  const [open, setOpen] = createSignal(false);
  const id = () => props.command.spec.id;
  const conflicts = () => (props.priorities.length > 1 ? props.priorities : []);
  const cancelPending = () =>
    props.state.requests.some(
      (r) => r.intent.type === "cancel-requested" && r.answer === undefined,
    );
  const cancel = () => props.onCancel();
  const retry = () => props.onRetry();
  const reprioritize = (value: number) => props.onReprioritize(value);
  return (
    <li
      class={`command status-${props.state.status}`}
      data-command={id()}
      data-status={props.state.status}
    >
      <div class="command-head">
        <button type="button" class="link" aria-expanded={open()} onClick={() => setOpen(!open())}>
          {props.command.spec.kind}
        </button>
        <span class={`pill status-${props.state.status}`} data-testid="command-status">
          {props.state.status}
        </span>
        <span class="muted">{argsSummary(props.command)}</span>
        <span class="muted">
          by {props.command.spec.createdBy} at {formatTime(props.command.spec.createdAt)}
        </span>
        <label class="priority">
          Priority
          <select
            value={props.command.priority.value}
            disabled={isTerminal(props.state)}
            aria-label={`Priority of ${props.command.spec.kind} ${id()}`}
            onChange={(event) => reprioritize(Number(event.currentTarget.value))}
          >
            <For
              each={Array.from(
                { length: PRIORITY.max - PRIORITY.min + 1 },
                (_, i) => PRIORITY.min + i,
              )}
            >
              {(value) => <option value={value}>{value}</option>}
            </For>
          </select>
        </label>
        <Show when={!isTerminal(props.state) && props.state.status !== "running"}>
          <button type="button" class="secondary" disabled={cancelPending()} onClick={cancel}>
            {cancelPending() ? "Cancel asked" : "Cancel"}
          </button>
        </Show>
        <Show when={props.state.status === "running"}>
          <button type="button" class="secondary" disabled={cancelPending()} onClick={cancel}>
            {cancelPending() ? "Stop asked" : "Stop"}
          </button>
        </Show>
        <Show
          when={["failed", "interrupted", "blocked", "retry-wait"].includes(props.state.status)}
        >
          <button type="button" class="secondary" onClick={retry}>
            Retry
          </button>
        </Show>
      </div>
      <Show when={conflicts().length > 0}>
        <p class="conflict" role="note" data-testid="priority-conflict">
          Priority set at the same time by{" "}
          <For each={conflicts()}>
            {(value, i) => (
              <>
                {i() > 0 ? " and " : ""}
                {value.setBy} to <strong>{value.value}</strong>
              </>
            )}
          </For>
          ; {props.command.priority.value} holds everywhere. Keep:{" "}
          <For each={conflicts()}>
            {(value) => (
              <button
                type="button"
                class="secondary small"
                onClick={() => reprioritize(value.value)}
              >
                {value.value}
              </button>
            )}
          </For>
        </p>
      </Show>
      <Show when={"reason" in props.state && props.state.reason}>
        <p class="muted">{String((props.state as { reason?: unknown }).reason)}</p>
      </Show>
      <Show when={open()}>
        <ol class="events">
          <For each={props.command.events}>
            {(event) => <EventLine event={event} state={props.state} />}
          </For>
        </ol>
        <Show when={"outcome" in props.state && props.state.outcome}>
          {(outcome) => (
            <div class="outcome">
              <p>
                Exit {String(outcome().exitCode)} after {(outcome().durationMs / 1000).toFixed(1)} s
                {outcome().error ? ` — ${outcome().error}` : ""}
              </p>
              <Show when={outcome().stdout}>
                <p class="label">Standard output</p>
                <pre>{outcome().stdout}</pre>
              </Show>
              <Show when={outcome().stderr}>
                <p class="label">Standard error</p>
                <pre>{outcome().stderr}</pre>
              </Show>
            </div>
          )}
        </Show>
      </Show>
    </li>
  );
}

function EventLine(props: { event: CommandEvent; state: CommandState }): JSX.Element {
  const answer = () =>
    isIntent(props.event)
      ? props.state.requests.find((r) => r.intent.id === props.event.id)?.answer
      : undefined;
  return (
    <li class={isIntent(props.event) ? "intent" : "fact"}>
      <span class="when">{formatTime(props.event.at)}</span>{" "}
      <span class="who">{props.event.by}</span> {describeEvent(props.event)}
      <Show when={isIntent(props.event) && props.event.type !== "note"}>
        <span class="answer">
          {" → "}
          {answer() ? `answered: ${describeEvent(answer() as CommandEvent)}` : "not answered yet"}
        </span>
      </Show>
    </li>
  );
}

function argsSummary(command: Command): string {
  const entries = Object.entries(command.spec.args);
  return entries.length === 0
    ? ""
    : entries.map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(" ") : String(v)}`).join(", ");
}
