import * as A from "@automerge/automerge";
import { describe, expect, it } from "vitest";
import type { CommandId } from "../ids/ids.js";
import {
  aliceAt,
  bobAt,
  forkReplica,
  newDeviceReplica,
  syncPair,
  T0,
} from "../testing/replicas.js";
import { priorityConflicts } from "./conflicts.js";
import { enqueueCommand, setPriority } from "./mutators.js";

const id = "cmd-prio" as CommandId;

describe("priority conflicts", () => {
  it("two admins set the priority concurrently: both replicas show the same winner and both values", () => {
    const base = A.change(newDeviceReplica("a1"), (d) =>
      enqueueCommand(d, { kind: "script.run", id }, aliceAt(T0)),
    );
    let alice = forkReplica(base, "b1");
    let bob = forkReplica(base, "c1");
    alice = A.change(alice, (d) => setPriority(d, id, 9, aliceAt(T0 + 10)));
    bob = A.change(bob, (d) => setPriority(d, id, 1, bobAt(T0 + 20)));
    [alice, bob] = syncPair(alice, bob);

    expect(alice.commands[id]?.priority).toEqual(bob.commands[id]?.priority);
    const expected = [
      { value: 9, setBy: "admin:alice", setAt: T0 + 10 },
      { value: 1, setBy: "admin:bob", setAt: T0 + 20 },
    ];
    expect(priorityConflicts(alice, id)).toEqual(expected);
    expect(priorityConflicts(bob, id)).toEqual(expected);
  });

  it("a later edit that saw both values resolves the conflict", () => {
    const base = A.change(newDeviceReplica("a1"), (d) =>
      enqueueCommand(d, { kind: "script.run", id }, aliceAt(T0)),
    );
    let [alice, bob] = [forkReplica(base, "b1"), forkReplica(base, "c1")];
    alice = A.change(alice, (d) => setPriority(d, id, 9, aliceAt(T0 + 10)));
    bob = A.change(bob, (d) => setPriority(d, id, 1, bobAt(T0 + 20)));
    [alice, bob] = syncPair(alice, bob);
    alice = A.change(alice, (d) => setPriority(d, id, 7, aliceAt(T0 + 30)));
    expect(priorityConflicts(alice, id)).toEqual([
      { value: 7, setBy: "admin:alice", setAt: T0 + 30 },
    ]);
  });
});
