import type { PendingEnrollmentSummary } from "@outpost/shared-model";
import { formatTime } from "../ui/format.js";

/** A fact about a re-enrollment request that an admin should weigh; `warning` ones argue against. */
export interface RequestNote {
  text: string;
  warning: boolean;
}

/**
 * What to weigh before approving a re-enrollment request (docs/OPERATIONS.md, "Re-enrollment of
 * a known device ID"): whether the enrolled device is connected (then it is most likely not the
 * one asking), whether the requester syncs the enrolled device's own DeviceDoc or a new one, and
 * what an approval would replace.
 */
export function requestNotes(request: PendingEnrollmentSummary): RequestNote[] {
  const current = request.current;
  if (current === undefined) {
    return [{ text: "No device is enrolled under this ID any more.", warning: false }];
  }
  const notes: RequestNote[] = [];
  if (current.connectedNow === true) {
    notes.push({
      text: `${request.deviceId} is connected now: most likely not the machine asking.`,
      warning: true,
    });
  } else if (current.connectedAtRequest) {
    notes.push({
      text: `${request.deviceId} was connected when the request came: most likely not the machine asking.`,
      warning: true,
    });
  }
  if (request.hostname !== current.hostname) {
    notes.push({
      text: `Asks as ${request.hostname}; the enrolled device is ${current.hostname}.`,
      warning: true,
    });
  }
  notes.push(
    request.deviceDocUrl === current.deviceDocUrl
      ? {
          text: "Syncs the enrolled device's own DeviceDoc (its data folder, credentials lost).",
          warning: false,
        }
      : {
          text: "Syncs a new DeviceDoc (a reinstalled agent, or another machine).",
          warning: false,
        },
  );
  if (current.status !== "active") {
    notes.push({
      text: `The enrolled device is ${current.status}; approving gives this requester its ID.`,
      warning: false,
    });
  }
  return notes;
}

/** A request's state in words: what happened to it, and when. */
export function requestStateText(request: PendingEnrollmentSummary): string {
  const by = request.decidedBy === undefined ? "" : ` by ${request.decidedBy}`;
  const at = request.decidedAt === undefined ? "" : ` ${formatTime(request.decidedAt)}`;
  switch (request.status) {
    case "pending":
      return "waiting for an admin";
    case "approved":
      return `approved${by}${at}; the device collects its token when it asks again`;
    case "denied":
      return `denied${by}${at}`;
    case "collected":
      return `approved${by}${at} and collected: the device enrolled`;
    case "expired":
      return "expired: nobody collected it within 7 days";
  }
}
