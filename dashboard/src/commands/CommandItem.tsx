import {
  type Command,
  type CommandState,
  commandSpecItem,
  isTerminal,
  PRIORITY,
  type PriorityRegister,
  priorityItem,
} from "@outpost/shared-model";
import { createSignal, For, type JSX, Show } from "solid-js";
import type { EditOutcome } from "../device/signed-writes.js";
import { createVerdict, type VerifyItem } from "../trust/create-verdict.js";
import { SignatureBadge } from "../trust/SignatureBadge.js";
import { formatTime } from "../ui/format.js";
import { CommandEvents, RefusedRequests } from "./CommandEvents.js";

/**
 * One command: spec and who signed it, state, priority (with any conflict), events, and the
 * admin's actions. A view: the page signs and writes what the buttons ask for; while it does,
 * the buttons wait, and while the admin has no certified key they are off with the reason.
 */
export function CommandItem(props: {
  command: Command;
  state: CommandState;
  /** Every priority concurrent admins left on the command; more than one is a conflict. */
  priorities: readonly PriorityRegister[];
  onCancel: () => Promise<EditOutcome>;
  onRetry: () => Promise<EditOutcome>;
  onReprioritize: (value: number) => Promise<EditOutcome>;
  /** Why signed writes are refused now (no certified key), or `undefined`. */
  blocked?: string | undefined;
  /** Who signed an item of this device's document. */
  verify: VerifyItem;
  /** Changes whenever a verdict may have changed. */
  learnt: () => number;
}): JSX.Element {
  const [open, setOpen] = createSignal(false);
  const [busy, setBusy] = createSignal(false);
  const [problem, setProblem] = createSignal<string>();
  const id = () => props.command.spec.id;
  const verify: VerifyItem = (item) => props.verify(item);
  const specVerdict = createVerdict(
    verify,
    () => commandSpecItem(props.command.spec),
    props.learnt,
  );
  const priorityVerdict = createVerdict(
    verify,
    () => priorityItem(props.command.spec.id, props.command.priority),
    props.learnt,
  );
  const priorityTrouble = () => {
    const view = priorityVerdict();
    return view.state === "checked" && !view.verdict.ok ? view : undefined;
  };
  const conflicts = () => (props.priorities.length > 1 ? props.priorities : []);
  const cancelPending = () =>
    props.state.requests.some(
      (r) => r.intent.type === "cancel-requested" && r.answer === undefined,
    );
  const locked = () => busy() || props.blocked !== undefined;
  /** Runs a signed write; the buttons wait meanwhile, and a refusal is said under the command. */
  const run = async (write: () => Promise<EditOutcome>) => {
    setBusy(true);
    setProblem(undefined);
    try {
      const outcome = await write();
      if (!outcome.saved) setProblem(outcome.problems.join("; "));
    } finally {
      setBusy(false);
    }
  };
  const cancel = () => void run(props.onCancel);
  const retry = () => void run(props.onRetry);
  const reprioritize = (value: number) => void run(() => props.onReprioritize(value));
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
        <SignatureBadge view={specVerdict()} />
        <label class="priority">
          Priority
          <select
            value={props.command.priority.value}
            disabled={isTerminal(props.state) || locked()}
            title={props.blocked}
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
        {/* A running command is stopped rather than cancelled: the same request, said as such. */}
        <Show when={!isTerminal(props.state)}>
          <button
            type="button"
            class="secondary"
            disabled={cancelPending() || locked()}
            title={props.blocked}
            onClick={cancel}
          >
            {`${props.state.status === "running" ? "Stop" : "Cancel"}${cancelPending() ? " asked" : ""}`}
          </button>
        </Show>
        <Show
          when={["failed", "interrupted", "blocked", "retry-wait"].includes(props.state.status)}
        >
          <button
            type="button"
            class="secondary"
            disabled={locked()}
            title={props.blocked}
            onClick={retry}
          >
            Retry
          </button>
        </Show>
      </div>
      <Show when={priorityTrouble()}>
        {(view) => <SignatureBadge view={view()} what="priority" />}
      </Show>
      <Show when={props.state.status === "rejected"}>
        <p class="error" data-testid="command-rejected">
          Refused by the agent: {(props.state as { reason?: string }).reason}
        </p>
      </Show>
      <RefusedRequests state={props.state} />
      <Show when={problem()}>
        <p class="error" role="alert">
          {problem()}
        </p>
      </Show>
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
      <Show
        when={props.state.status !== "rejected" && "reason" in props.state && props.state.reason}
      >
        <p class="muted">{String((props.state as { reason?: unknown }).reason)}</p>
      </Show>
      <Show when={open()}>
        <CommandEvents
          command={props.command}
          state={props.state}
          verify={verify}
          learnt={props.learnt}
        />
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

function argsSummary(command: Command): string {
  const entries = Object.entries(command.spec.args);
  return entries.length === 0
    ? ""
    : entries.map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(" ") : String(v)}`).join(", ");
}
