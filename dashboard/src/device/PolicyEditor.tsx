import {
  DEFAULT_POLICY,
  lastPolicyEdit,
  type PolicyRecord,
  type PolicySettings,
  policyValues,
} from "@outpost/shared-model";
import { createMemo, createSignal, type JSX, Show } from "solid-js";
import { BlockedReason } from "../trust/BlockedReason.js";
import type { VerifyItem } from "../trust/create-verdict.js";
import { formatTime } from "../ui/format.js";
import type { EditOutcome } from "./device-actions.js";
import { PolicySigners } from "./PolicySigners.js";
import { changedSettings, readPolicyForm, settingOfField } from "./policy-form.js";

/** What the policy editor asks of its page. */
export interface PolicyActions {
  /** Signs and writes the settings in `patch`; nothing unless all are valid. */
  editPolicy(patch: Partial<PolicySettings>): Promise<EditOutcome>;
  /** Why nothing can be signed now (no certified key): saving is off and says so. */
  blocked(): string | undefined;
  /** Who signed an item of this device's document. */
  verify: VerifyItem;
  /** Changes whenever a verdict may have changed. */
  learnt(): number;
}

/**
 * The device policy, edited as a form and checked before anything is written: a bad setting
 * is named with what it must be, and nothing is saved until every setting is valid. Only the
 * settings the admin changed are written, each its own signed register (so two admins who
 * change different settings both keep theirs), and the table below says who set each one and
 * whether its signature holds. The agent checks it again on its side (and audits what it
 * applies). A view: `actions.editPolicy` signs and writes.
 */
export function PolicyEditor(props: {
  /** The settings admins set, as the document holds them. */
  registers: PolicyRecord;
  actions: PolicyActions;
}): JSX.Element {
  // Each setting an admin set, the default for the rest.
  const policy = createMemo(() => policyValues(props.registers, DEFAULT_POLICY));
  const blocked = () => props.actions.blocked();
  const [problems, setProblems] = createSignal<string[]>([]);
  const [saved, setSaved] = createSignal<string>();
  const [signing, setSigning] = createSignal(false);
  /** Settings whose fields the admin edited since the last save. */
  const edited = new Set<keyof PolicySettings>();
  let form: HTMLFormElement | undefined;
  const noteEdit = (event: Event) => {
    setSaved(undefined);
    const setting = settingOfField((event.target as HTMLInputElement | null)?.name ?? "");
    if (setting !== undefined) edited.add(setting);
  };

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    if (signing()) return;
    setSaved(undefined);
    if (form === undefined) return;
    const patch = changedSettings(readPolicyForm(form), policy(), props.registers, edited);
    if (Object.keys(patch).length === 0) {
      setProblems([]);
      setSaved("No setting changed: nothing to save.");
      return;
    }
    setSigning(true);
    try {
      const outcome = await props.actions.editPolicy(patch);
      setProblems(outcome.saved ? [] : [...outcome.problems]);
      if (outcome.saved) {
        edited.clear();
        setSaved("Saved. The agent applies it when it next syncs.");
      }
    } finally {
      setSigning(false);
    }
  };

  return (
    <section class="card" aria-labelledby="policy-title">
      <h2 id="policy-title">Policy</h2>
      <form
        ref={form}
        class="form-grid"
        onSubmit={(event) => void submit(event)}
        onInput={noteEdit}
        onChange={noteEdit}
        aria-busy={signing()}
      >
        <label for="policy-sampling">Sampling interval (s)</label>
        <input
          id="policy-sampling"
          name="samplingIntervalS"
          type="number"
          min="1"
          max="3600"
          value={policy().samplingIntervalS}
        />
        <label for="policy-retain">Keep synced days (days)</label>
        <input
          id="policy-retain"
          name="retainDays"
          type="number"
          min="0"
          max="365"
          value={policy().retainDays}
        />
        <label for="policy-window-start">Maintenance window</label>
        <div class="inline">
          <input
            id="policy-window-start"
            name="windowStart"
            type="time"
            value={policy().maintenanceWindow.start}
            aria-label="Window start"
          />
          <span>to</span>
          <input
            name="windowEnd"
            type="time"
            value={policy().maintenanceWindow.end}
            aria-label="Window end"
          />
          <span class="hint">device local time; may cross midnight</span>
        </div>
        <label for="policy-cpu">Run only under CPU (%, 100 = no limit)</label>
        <input
          id="policy-cpu"
          name="cpuPercent"
          type="number"
          min="0"
          max="100"
          value={policy().load.cpuPercent}
        />
        <label for="policy-memory">… memory (%)</label>
        <input
          id="policy-memory"
          name="memoryPercent"
          type="number"
          min="0"
          max="100"
          value={policy().load.memoryPercent}
        />
        <label for="policy-disk">… disk busy (%)</label>
        <input
          id="policy-disk"
          name="diskBusyPercent"
          type="number"
          min="0"
          max="100"
          value={policy().load.diskBusyPercent}
        />
        <label for="policy-sustained">… for at least (s)</label>
        <input
          id="policy-sustained"
          name="sustainedS"
          type="number"
          min="0"
          max="3600"
          value={policy().load.sustainedS}
        />
        <label for="policy-patterns">Critical processes</label>
        <div>
          <textarea
            id="policy-patterns"
            name="patterns"
            rows={3}
            value={policy().criticalProcessPatterns.join("\n")}
          />
          <span class="hint">
            One regular expression per line, added to the built-in backup, antivirus and update
            names
          </span>
        </div>
        <span class="label">Shell commands</span>
        <label class="check">
          <input name="allowShell" type="checkbox" checked={policy().allowShell} />
          Allow <code>shell.run</code> on this device
        </label>
        <div class="actions full">
          <button type="submit" disabled={blocked() !== undefined || signing()} title={blocked()}>
            {signing() ? "Signing…" : "Save policy"}
          </button>
          <Show when={saved()}>
            <span class="done" role="status">
              {saved()}
            </span>
          </Show>
          <BlockedReason reason={blocked()} testId="policy-blocked" />
        </div>
      </form>
      <Show when={problems().length > 0}>
        <ul class="error" role="alert" aria-label="Policy problems">
          {problems().map((problem) => (
            <li>{problem}</li>
          ))}
        </ul>
      </Show>
      <Show when={lastPolicyEdit(props.registers)}>
        {(edit) => (
          <p class="muted">
            Last edited by {edit().by} at {formatTime(edit().at)}
          </p>
        )}
      </Show>
      <PolicySigners
        registers={props.registers}
        verify={props.actions.verify}
        learnt={props.actions.learnt}
      />
    </section>
  );
}
