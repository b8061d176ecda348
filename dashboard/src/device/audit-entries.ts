import type { AuditEntry, DeviceDoc } from "@outpost/shared-model";
import { type Accessor, createEffect, createSignal, on, onCleanup } from "solid-js";

/** Days of audit trail loaded at first; "older" adds as many again. */
const DAYS_AT_A_TIME = 7;

/** A device's audit trail as far back as it is loaded. */
export interface AuditEntries {
  /** Newest first. */
  entries: Accessor<readonly AuditEntry[]>;
  /** True while the days asked for are loading. */
  loading: Accessor<boolean>;
  /** True when the telemetry index has days older than those loaded. */
  hasOlder: Accessor<boolean>;
  /** Loads as many older days again. */
  showOlder(): void;
}

/**
 * The audit entries of a device's newest days (a week at first), loaded with `load` from the
 * day documents its `telemetry` index names, and loaded again when the index gains a day. An
 * answer that arrives after a newer question is dropped.
 */
export function createAuditEntries(
  telemetry: Accessor<DeviceDoc["telemetry"]>,
  load: (telemetry: DeviceDoc["telemetry"], days: readonly string[]) => Promise<AuditEntry[]>,
): AuditEntries {
  const [days, setDays] = createSignal(DAYS_AT_A_TIME);
  const [entries, setEntries] = createSignal<readonly AuditEntry[]>([]);
  const [loading, setLoading] = createSignal(true);
  const allDays = () => Object.keys(telemetry()).sort().reverse();

  createEffect(
    on([days, () => allDays().join(",")], ([count]) => {
      let current = true;
      onCleanup(() => {
        current = false;
      });
      setLoading(true);
      void load(telemetry(), allDays().slice(0, count)).then((loaded) => {
        if (!current) return;
        setEntries(loaded);
        setLoading(false);
      });
    }),
  );

  return {
    entries,
    loading,
    hasOlder: () => allDays().length > days(),
    showOlder: () => setDays(days() + DAYS_AT_A_TIME),
  };
}
