import type { DocHandle } from "@automerge/automerge-repo/slim";
import {
  type CommandId,
  createDeviceDoc,
  type DeviceDoc,
  liveCommands,
  parseDeviceId,
} from "@outpost/shared-model";
import { cleanup, fireEvent, render, screen } from "@solidjs/testing-library";
import { afterEach, beforeEach, describe, expect, it, type Mock, vi } from "vitest";
import { type EnqueueTarget, makeDeviceActions } from "../device/device-actions.js";
import { makeTestReplica } from "../testing/test-replica.js";
import { makeTestTrust } from "../testing/test-trust.js";
import { EnqueueForm } from "./EnqueueForm.js";

let replica: ReturnType<typeof makeTestReplica>;
let targets: DocHandle<DeviceDoc>[];
let onDone: Mock<(id: CommandId) => void>;
/** Devices chosen besides `targets` whose documents this browser has not loaded. */
let notLoaded: EnqueueTarget[];

beforeEach(async () => {
  replica = makeTestReplica({ admin: "alice" });
  targets = ["laptop-042", "kiosk-7"].map((id) =>
    replica.repo.create(createDeviceDoc(parseDeviceId(id))),
  );
  onDone = vi.fn<(id: CommandId) => void>();
  notLoaded = [];
  const actions = makeDeviceActions(replica, await makeTestTrust({ admin: "alice" }));
  render(() => (
    <EnqueueForm
      targetCount={targets.length}
      onEnqueue={(input) =>
        actions.enqueue(
          [...targets.map((handle) => ({ deviceId: handle.doc().deviceId, handle })), ...notLoaded],
          input,
        )
      }
      onDone={onDone}
    />
  ));
});

afterEach(async () => {
  cleanup();
  await replica.close();
});

/** Types `value` into the field labelled `label`. */
function type(label: string, value: string): void {
  fireEvent.input(screen.getByLabelText(label), { target: { value } });
}

const chooseKind = (label: string) =>
  fireEvent.change(screen.getByRole("combobox", { name: "Command" }), {
    target: { value: kindOf(label) },
  });

/** The kind of the option labelled `label` in the Command select. */
function kindOf(label: string): string {
  return (screen.getByRole("option", { name: label }) as HTMLOptionElement).value;
}

const commandsOn = (handle: DocHandle<DeviceDoc>) =>
  liveCommands(handle.doc().commands).map(([, command]) => command);

describe("EnqueueForm", () => {
  it("asks for a shell command's required command and writes nothing without it", () => {
    chooseKind("Shell command");
    const command = screen.getByLabelText("Command *") as HTMLInputElement;
    // The browser stops the click (the field is `required`); the form checks what gets through.
    fireEvent.click(screen.getByRole("button", { name: "Enqueue on 2 devices" }));
    expect(command.validity.valueMissing).toBe(true);
    fireEvent.submit(screen.getByRole("form", { name: "Enqueue a command" }));

    expect(screen.getByRole("alert").textContent).toBe("Command is required");
    expect(targets.flatMap(commandsOn)).toEqual([]);
    expect(onDone).not.toHaveBeenCalled();
  });

  it("enqueues the same command, as entered, on every target", async () => {
    chooseKind("Shell command");
    type("Command *", "  systemctl status cups ");
    type("Priority", "7");
    fireEvent.click(screen.getByRole("checkbox", { name: "Only in the maintenance window" }));
    type("Not before", "2026-11-21T22:00");
    type("Expires", "2026-11-22T06:00");
    type("Dedupe key", " cups-check ");
    fireEvent.click(screen.getByRole("button", { name: "Enqueue on 2 devices" }));

    expect((await screen.findByRole("status")).textContent).toBe(
      "Enqueued shell command on 2 device(s).",
    );
    const [first, second] = targets.map(commandsOn);
    expect(first).toHaveLength(1);
    expect(second).toHaveLength(1);
    const id = first?.[0]?.spec.id;
    expect(second?.[0]?.spec.id).toBe(id);
    const entered = {
      spec: {
        kind: "shell.run",
        args: { command: "systemctl status cups" },
        window: "maintenance",
        notBefore: new Date("2026-11-21T22:00").getTime(),
        expiresAt: new Date("2026-11-22T06:00").getTime(),
        dedupeKey: "cups-check",
        createdBy: "admin:alice",
      },
      priority: { value: 7, setBy: "admin:alice" },
      events: [],
    };
    expect(first?.[0]).toMatchObject(entered);
    expect(second?.[0]).toMatchObject(entered);
    expect(onDone).toHaveBeenCalledWith(id);
    expect(replica.pending.documentIds().sort()).toEqual(
      targets.map((handle) => handle.documentId).sort(),
    );
    // The arguments are cleared for the next command.
    expect((screen.getByLabelText("Command *") as HTMLInputElement).value).toBe("");
  });

  it("refuses an expiry that is not after Not before", () => {
    type("Not before", "2026-11-21T22:00");
    type("Expires", "2026-11-21T21:00");
    fireEvent.click(screen.getByRole("button", { name: "Enqueue on 2 devices" }));

    expect(screen.getByRole("alert").textContent).toBe("Expires must be after Not before");
    expect(targets.flatMap(commandsOn)).toEqual([]);
  });

  it("says which devices got the command, and names the others with why", async () => {
    notLoaded.push({ deviceId: "printer-3", handle: undefined });
    chooseKind("Restart a service");
    type("Service *", "cups");
    fireEvent.click(screen.getByRole("button", { name: "Enqueue on 2 devices" }));

    expect((await screen.findByRole("status")).textContent).toBe(
      "Enqueued restart a service on 2 of 3 devices.",
    );
    expect(screen.getByRole("alert").textContent).toBe(
      "Not enqueued on printer-3: its document is not in this browser yet",
    );
    const [first, second] = targets.map(commandsOn);
    expect(first).toMatchObject([{ spec: { kind: "service.restart", args: { name: "cups" } } }]);
    expect(second?.[0]?.spec.id).toBe(first?.[0]?.spec.id);
    expect(onDone).toHaveBeenCalledWith(first?.[0]?.spec.id);
    // Two devices have it now: the same fields again would enqueue it there a second time.
    expect((screen.getByLabelText("Service *") as HTMLInputElement).value).toBe("");
  });

  it("writes nothing, says why and keeps the fields when no device can take the command", async () => {
    for (const handle of targets) {
      handle.change((doc) => {
        delete (doc as Partial<DeviceDoc>).commands;
      });
    }
    chooseKind("Restart a service");
    type("Service *", "cups");
    fireEvent.click(screen.getByRole("button", { name: "Enqueue on 2 devices" }));

    const alert = await screen.findByRole("alert");
    expect(screen.queryByRole("status")).toBeNull();
    expect(alert.textContent).toMatch(
      /^Not enqueued on laptop-042, kiosk-7: writing its document failed: /,
    );
    expect(replica.pending.documentIds()).toEqual([]);
    expect(onDone).not.toHaveBeenCalled();
    expect((screen.getByLabelText("Service *") as HTMLInputElement).value).toBe("cups");
  });
});
