import { type CommandId, type EnqueueInput, PRIORITY } from "@outpost/shared-model";
import { createMemo, createSignal, For, type JSX, Match, Show, Switch } from "solid-js";
import { BlockedReason } from "../trust/BlockedReason.js";
import { KIND_FORMS } from "./command-kinds.js";
import { enqueueInputOf } from "./enqueue-input.js";
import { type EnqueueReport, type EnqueueSummary, summarizeEnqueue } from "./enqueue-report.js";

/** A command a form may name as a dependency. */
export interface DependencyChoice {
  id: CommandId;
  label: string;
}

/**
 * The form to enqueue a command to one device or several. A view: `onEnqueue` signs and writes
 * the command (the same spec, the same command ID on each device, so it reads as one operation
 * across the fleet) and reports device by device; the form says what it did, and waits while it
 * signs. It works offline like everything else: the command is in the local replica at once and
 * reaches each device when both have synced.
 */
export function EnqueueForm(props: {
  /** How many devices the command goes to (the button says so; none disables it). */
  targetCount: number;
  /** Why nothing can be signed now (no certified key): the button is off and says so. */
  blocked?: string | undefined;
  dependencyChoices?: readonly DependencyChoice[];
  onEnqueue: (input: Omit<EnqueueInput, "id">) => Promise<EnqueueReport>;
  onDone?: (id: CommandId) => void;
}): JSX.Element {
  const [kind, setKind] = createSignal(KIND_FORMS[0]?.kind ?? "inventory.collect");
  const [values, setValues] = createSignal<Record<string, string>>({});
  const [priority, setPriority] = createSignal<number>(PRIORITY.default);
  const [maintenance, setMaintenance] = createSignal(false);
  const [notBefore, setNotBefore] = createSignal("");
  const [expiresAt, setExpiresAt] = createSignal("");
  const [dedupeKey, setDedupeKey] = createSignal("");
  const [dependsOn, setDependsOn] = createSignal<CommandId[]>([]);
  const [summary, setSummary] = createSignal<EnqueueSummary>();
  const [signing, setSigning] = createSignal(false);
  const form = createMemo(() => KIND_FORMS.find((f) => f.kind === kind()) ?? KIND_FORMS[0]);

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    if (signing()) return;
    setSummary(undefined);
    const current = form();
    if (current === undefined) return;
    const parsed = enqueueInputOf({
      kind: current.kind,
      values: values(),
      priority: priority(),
      maintenance: maintenance(),
      notBefore: notBefore(),
      expiresAt: expiresAt(),
      dedupeKey: dedupeKey(),
      dependsOn: dependsOn(),
    });
    if ("problem" in parsed) {
      setSummary({ problems: [parsed.problem] });
      return;
    }
    setSigning(true);
    let report: EnqueueReport;
    try {
      report = await props.onEnqueue(parsed.input);
    } finally {
      setSigning(false);
    }
    setSummary(summarizeEnqueue(report, current.label.toLowerCase()));
    // Once any device has the command, the same fields again would make a second one there:
    // they are cleared, and the message names the devices still without it.
    if (report.kind === "written" && report.enqueued.length > 0) {
      setValues({});
      setDependsOn([]);
      props.onDone?.(report.id);
    }
  };

  return (
    <form
      class="enqueue form-grid"
      onSubmit={(event) => void submit(event)}
      aria-label="Enqueue a command"
      aria-busy={signing()}
    >
      <label for="enqueue-kind">Command</label>
      <div>
        <select
          id="enqueue-kind"
          value={kind()}
          onChange={(event) => setKind(event.currentTarget.value)}
        >
          <For each={KIND_FORMS}>
            {(option) => <option value={option.kind}>{option.label}</option>}
          </For>
        </select>
        <p class="hint">{form()?.description}</p>
      </div>
      <For each={form()?.args ?? []}>
        {(field) => (
          <>
            <label for={`enqueue-arg-${field.name}`}>
              {field.label}
              {field.required ? " *" : ""}
            </label>
            <div>
              <input
                id={`enqueue-arg-${field.name}`}
                name={field.name}
                inputMode={field.type === "number" ? "numeric" : undefined}
                required={field.required}
                value={values()[field.name] ?? ""}
                onInput={(event) =>
                  setValues({ ...values(), [field.name]: event.currentTarget.value })
                }
              />
              <Show when={field.hint}>
                <span class="hint">{field.hint}</span>
              </Show>
            </div>
          </>
        )}
      </For>
      <label for="enqueue-priority">Priority</label>
      <div>
        <input
          id="enqueue-priority"
          type="number"
          min={PRIORITY.min}
          max={PRIORITY.max}
          value={priority()}
          onInput={(event) => setPriority(Number(event.currentTarget.value))}
        />
        <span class="hint">0–9, higher runs first</span>
      </div>
      <span class="label">Window</span>
      <label class="check">
        <input
          type="checkbox"
          checked={maintenance()}
          onChange={(event) => setMaintenance(event.currentTarget.checked)}
        />
        Only in the maintenance window
      </label>
      <label for="enqueue-not-before">Not before</label>
      <input
        id="enqueue-not-before"
        type="datetime-local"
        value={notBefore()}
        onInput={(e) => setNotBefore(e.currentTarget.value)}
      />
      <label for="enqueue-expires">Expires</label>
      <input
        id="enqueue-expires"
        type="datetime-local"
        value={expiresAt()}
        onInput={(e) => setExpiresAt(e.currentTarget.value)}
      />
      <label for="enqueue-dedupe">Dedupe key</label>
      <div>
        <input
          id="enqueue-dedupe"
          value={dedupeKey()}
          onInput={(e) => setDedupeKey(e.currentTarget.value)}
        />
        <span class="hint">Commands with the same key run once</span>
      </div>
      <Show when={(props.dependencyChoices ?? []).length > 0}>
        <label for="enqueue-depends">After</label>
        <div>
          <select
            id="enqueue-depends"
            multiple
            size={Math.min(5, props.dependencyChoices?.length ?? 0)}
            onChange={(event) =>
              setDependsOn(
                Array.from(event.currentTarget.selectedOptions, (o) => o.value as CommandId),
              )
            }
          >
            <For each={props.dependencyChoices}>
              {(choice) => (
                <option value={choice.id} selected={dependsOn().includes(choice.id)}>
                  {choice.label}
                </option>
              )}
            </For>
          </select>
          <span class="hint">Runs only after these succeed</span>
        </div>
      </Show>
      <div class="actions full">
        <button
          type="submit"
          disabled={props.targetCount === 0 || props.blocked !== undefined || signing()}
          title={props.blocked}
        >
          {signing()
            ? "Signing…"
            : `Enqueue${props.targetCount > 1 ? ` on ${props.targetCount} devices` : ""}`}
        </button>
        <BlockedReason reason={props.blocked} testId="enqueue-blocked" />
        <Show when={summary()?.done}>
          {(done) => (
            <span class="done" role="status">
              {done()}
            </span>
          )}
        </Show>
        <Switch>
          <Match when={summary()?.problems.length === 1}>
            <span class="error" role="alert">
              {summary()?.problems[0]}
            </span>
          </Match>
          <Match when={(summary()?.problems.length ?? 0) > 1}>
            <ul class="error" role="alert" aria-label="Not enqueued">
              <For each={summary()?.problems}>{(problem) => <li>{problem}</li>}</For>
            </ul>
          </Match>
        </Switch>
      </div>
    </form>
  );
}
