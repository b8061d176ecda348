import * as A from "@automerge/automerge";
import { generateAutomergeUrl, parseAutomergeUrl } from "@automerge/automerge-repo";
import {
  appendSample,
  createTelemetryDayDoc,
  parseDay,
  parseDeviceId,
  startOfDay,
  type TelemetryDayDoc,
} from "@outpost/shared-model";
import {
  makeSimulatedDevice,
  SIMULATED_METRICS,
} from "../../scripts/synthetic-fleet/simulated-device.js";
import type { AgentSpec } from "./messages.js";

/** What the agents of every storm are made of, decided once so every server gets the same. */
export interface AgentPlan {
  day: string;
  ticks: number;
  /** Saved template day documents (`A.save`); each agent's day document is a copy of one. */
  templates: Uint8Array[];
  agents: AgentSpec[];
}

const DAY = parseDay("2026-11-21");
const INTERVAL_S = 10;

/**
 * Plans `agents` simulated devices. Writing a full day (8,640 ticks, one change each) takes
 * about 12 s, so only `templates` distinct days are written, from different seeds; every agent
 * loads a copy of one and adds a change of its own (its device ID), so no two agents' documents
 * share their heads. Document IDs are fixed here, so every storm syncs the very same documents.
 */
export function planAgents(options: {
  agents: number;
  ticks: number;
  templates: number;
  seed: number;
}): AgentPlan {
  const templates: Uint8Array[] = [];
  for (let index = 0; index < Math.min(options.templates, options.agents); index += 1) {
    templates.push(writeDay(options.ticks, options.seed + index));
  }
  const agents: AgentSpec[] = [];
  for (let index = 0; index < options.agents; index += 1) {
    agents.push({
      deviceId: `storm-${String(index).padStart(5, "0")}`,
      deviceDocumentId: newDocumentId(),
      dayDocumentId: newDocumentId(),
      template: index % templates.length,
    });
  }
  return { day: DAY, ticks: options.ticks, templates, agents };
}

/** One day of simulated samples through `appendSample`, one Automerge change per tick. */
function writeDay(ticks: number, seed: number): Uint8Array {
  const nextValues = makeSimulatedDevice(seed);
  const dayStart = startOfDay(DAY);
  let doc = A.from<TelemetryDayDoc>(
    createTelemetryDayDoc(parseDeviceId("storm-template"), DAY, INTERVAL_S, SIMULATED_METRICS),
  );
  for (let tick = 0; tick < ticks; tick += 1) {
    const sample = { at: dayStart + tick * INTERVAL_S * 1000, values: nextValues() };
    // The change's timestamp is the sample's, as on a device whose clock is right.
    doc = A.change(doc, { time: Math.floor(sample.at / 1000) }, (draft) =>
      appendSample(draft, sample),
    );
  }
  return A.save(doc);
}

function newDocumentId(): string {
  return parseAutomergeUrl(generateAutomergeUrl()).documentId;
}
