import type { DocHandle } from "@automerge/automerge-repo/slim";
import {
  type ArchiveMonth,
  archivableCommands,
  archiveMarkOf,
  archiveRecordValue,
  type CommandArchiveDoc,
  type CommandId,
  createDeviceDoc,
  type DeviceDoc,
  enqueueCommand,
  markArchived,
  newCommandArchiveDoc,
  parseDeviceId,
  recordFact,
} from "@outpost/shared-model";
import { cleanup, fireEvent, render, screen } from "@solidjs/testing-library";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { findArchiveOf } from "../primitives/find-archive.js";
import { makeTestReplica } from "../testing/test-replica.js";
import { ArchivedCommands } from "./ArchivedCommands.js";

const DEVICE = parseDeviceId("laptop-042");
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 9, 20);

let replica: ReturnType<typeof makeTestReplica>;
let handle: DocHandle<DeviceDoc>;
let id: CommandId;
let month: ArchiveMonth;

/** A device whose agent archived one finished command, as the agent does. */
beforeEach(() => {
  replica = makeTestReplica({ admin: "alice" });
  handle = replica.repo.create(createDeviceDoc(DEVICE));
  handle.change((doc) => {
    id = enqueueCommand(
      doc,
      { kind: "service.restart", args: { name: "cups" } },
      {
        by: "admin:carol",
        at: T0,
      },
    );
    const agent = { by: `agent:${DEVICE}`, at: T0 + 1_000 };
    recordFact(doc, id, { type: "started", attempt: 1 }, agent);
    recordFact(doc, id, { type: "succeeded", outcome: { exitCode: 0, durationMs: 3 } }, agent);
  });
  const [due] = archivableCommands(handle.doc(), T0 + 31 * DAY, 30 * DAY);
  if (due === undefined) throw new Error("nothing to archive");
  month = due.month;
  const archive = replica.repo.create<CommandArchiveDoc>(newCommandArchiveDoc(DEVICE, month));
  archive.change((doc) => {
    doc.commands[id] = archiveRecordValue({
      command: JSON.parse(JSON.stringify(due.command)),
      status: "succeeded",
      archivedAt: T0 + 31 * DAY,
    });
  });
  handle.change((doc) => {
    markArchived(doc, id, archiveMarkOf(due, T0 + 31 * DAY));
    doc.commandArchives = { [month]: { url: archive.url, commands: 1 } };
  });
});
afterEach(cleanup);

describe("ArchivedCommands", () => {
  it("lists the months and opens one to show its commands as archived", async () => {
    render(() => (
      <ArchivedCommands
        archives={() => handle.doc().commandArchives ?? {}}
        findArchive={(m, url) => findArchiveOf(replica.repo, DEVICE, m, url)}
      />
    ));
    const button = screen.getByRole("button", { name: `Show ${month} (1 command)` });
    fireEvent.click(button);
    expect(await screen.findByText(id)).toBeTruthy();
    expect(screen.getByText("service.restart")).toBeTruthy();
    expect(screen.getByText("succeeded")).toBeTruthy();
    expect(screen.getByText("admin:carol")).toBeTruthy();
  });

  it("refuses an archive the index names that is another device's", async () => {
    const foreign = replica.repo.create<CommandArchiveDoc>(
      newCommandArchiveDoc(parseDeviceId("kiosk-7"), month),
    );
    render(() => (
      <ArchivedCommands
        archives={() => ({ [month]: { url: foreign.url, commands: 3 } })}
        findArchive={(m, url) => findArchiveOf(replica.repo, DEVICE, m, url)}
      />
    ));
    fireEvent.click(screen.getByRole("button", { name: `Show ${month} (3 commands)` }));
    expect((await screen.findByRole("alert")).textContent).toMatch(
      /is the archive of kiosk-7 for .*: not shown/,
    );
  });
});
