import type { DeferralReason } from "@outpost/shared-model";

/**
 * What one gate says about starting a command now: open, or closed with the reason recorded in
 * the `deferred` fact and a detail an admin can read.
 */
export type GateResult = { open: true } | { open: false; reason: DeferralReason; detail: string };

/** The open result, shared. */
export const OPEN: GateResult = Object.freeze({ open: true });
