import type { DocHandle } from "@automerge/automerge-repo/slim";
import {
  actorOf,
  type CommandId,
  type DeviceDoc,
  type EnqueueInput,
  enqueueCommand,
  messageOf,
  newCommandId,
  PRIORITY,
} from "@outpost/shared-model";
import { createMemo, createSignal, For, type JSX, Show } from "solid-js";
import { useReplica } from "../app/replica-context.js";
import { KIND_FORMS } from "./command-kinds.js";
import { enqueueInputOf } from "./enqueue-input.js";

/** A command a form may name as a dependency. */
export interface DependencyChoice {
  id: CommandId;
  label: string;
}

/**
 * Enqueues a command to one device or several (the same spec, the same command ID on each, so
 * it reads as one operation across the fleet). Works offline like everything else: the command
 * is in the local replica at once and reaches each device when both have synced.
 */
export function EnqueueForm(props: {
  targets: readonly DocHandle<DeviceDoc>[];
  dependencyChoices?: readonly DependencyChoice[];
  onDone?: (id: CommandId) => void;
}): JSX.Element {
  const replica = useReplica();
  const [kind, setKind] = createSignal(KIND_FORMS[0]?.kind ?? "inventory.collect");
  const [values, setValues] = createSignal<Record<string, string>>({});
  const [priority, setPriority] = createSignal<number>(PRIORITY.default);
  const [maintenance, setMaintenance] = createSignal(false);
  const [notBefore, setNotBefore] = createSignal("");
  const [expiresAt, setExpiresAt] = createSignal("");
  const [dedupeKey, setDedupeKey] = createSignal("");
  const [dependsOn, setDependsOn] = createSignal<CommandId[]>([]);
  const [message, setMessage] = createSignal<{ kind: "error" | "done"; text: string }>();
  const form = createMemo(() => KIND_FORMS.find((f) => f.kind === kind()) ?? KIND_FORMS[0]);

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    setMessage(undefined);
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
      setMessage({ kind: "error", text: parsed.problem });
      return;
    }
    const id = newCommandId();
    const input: EnqueueInput = { ...parsed.input, id };
    try {
      for (const handle of props.targets) {
        replica.change(handle, (doc) =>
          enqueueCommand(doc, input, {
            by: actorOf({ kind: "admin", name: replica.session.admin }),
            at: Date.now(),
          }),
        );
      }
    } catch (failure) {
      setMessage({ kind: "error", text: messageOf(failure) });
      return;
    }
    setMessage({
      kind: "done",
      text: `Enqueued ${current.label.toLowerCase()} on ${props.targets.length} device(s).`,
    });
    setValues({});
    setDependsOn([]);
    props.onDone?.(id);
  };

  return (
    <form class="enqueue form-grid" onSubmit={submit} aria-label="Enqueue a command">
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
        <button type="submit" disabled={props.targets.length === 0}>
          Enqueue{props.targets.length > 1 ? ` on ${props.targets.length} devices` : ""}
        </button>
        <Show when={message()}>
          {(shown) => (
            <span
              class={shown().kind === "error" ? "error" : "done"}
              role={shown().kind === "error" ? "alert" : "status"}
            >
              {shown().text}
            </span>
          )}
        </Show>
      </div>
    </form>
  );
}
