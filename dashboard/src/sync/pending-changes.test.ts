import * as A from "@automerge/automerge";
import { type DocHandle, encodeHeads, Repo } from "@automerge/automerge-repo/slim";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { PendingChanges } from "./pending-changes.js";

interface Doc {
  count: number;
}

const KEY = "outpost.pending.test";
let repo: Repo;

beforeEach(() => {
  repo = new Repo({ network: [] });
  sessionStorage.clear();
  localStorage.clear();
});

afterEach(async () => {
  vi.restoreAllMocks();
  await repo.shutdown();
});

function increment(handle: DocHandle<Doc>): void {
  handle.change((d) => {
    d.count += 1;
  });
}

describe("PendingChanges", () => {
  it("holds a changed document until the relay's stored heads include the change", () => {
    const pending = new PendingChanges(KEY, sessionStorage);
    const handle = repo.create<Doc>({ count: 0 });
    const beforeChange = handle.heads();
    increment(handle);
    pending.record(handle);
    expect(pending.has(handle.documentId)).toBe(true);
    expect(pending.documentIds()).toEqual([handle.documentId]);

    pending.acknowledge(handle, beforeChange);
    expect(pending.has(handle.documentId)).toBe(true);

    const afterChange = handle.heads();
    increment(handle);
    pending.acknowledge(handle, afterChange);
    expect(pending.has(handle.documentId)).toBe(false);
    expect(pending.documentIds()).toEqual([]);
  });

  it("is also cleared by heads of later changes that build on it", () => {
    const pending = new PendingChanges(KEY, sessionStorage);
    const handle = repo.create<Doc>({ count: 0 });
    increment(handle);
    pending.record(handle);
    increment(handle);
    pending.acknowledge(handle, handle.heads());
    expect(pending.has(handle.documentId)).toBe(false);
  });

  it("keeps the entry for stored heads this replica does not hold yet", () => {
    const pending = new PendingChanges(KEY, sessionStorage);
    const handle = repo.create<Doc>({ count: 0 });
    increment(handle);
    pending.record(handle);
    const elsewhere = A.change(A.clone(handle.doc()), (d) => {
      d.count = 99;
    });
    pending.acknowledge(handle, encodeHeads(A.getHeads(elsewhere)));
    expect(pending.has(handle.documentId)).toBe(true);
  });

  it("keeps each document's entry apart", () => {
    const pending = new PendingChanges(KEY, sessionStorage);
    const first = repo.create<Doc>({ count: 0 });
    const second = repo.create<Doc>({ count: 0 });
    increment(first);
    increment(second);
    pending.record(first);
    pending.record(second);
    pending.acknowledge(first, first.heads());
    expect(pending.documentIds()).toEqual([second.documentId]);
  });

  it("keeps its entries in the given storage for the next instance", () => {
    const handle = repo.create<Doc>({ count: 0 });
    increment(handle);
    new PendingChanges(KEY, sessionStorage).record(handle);
    expect(localStorage.length).toBe(0);
    const reloaded = new PendingChanges(KEY, sessionStorage);
    expect(reloaded.has(handle.documentId)).toBe(true);
    reloaded.acknowledge(handle, handle.heads());
    expect(new PendingChanges(KEY, sessionStorage).has(handle.documentId)).toBe(false);
  });

  it("tells listeners of each change to the set until they unsubscribe", () => {
    const pending = new PendingChanges(KEY, sessionStorage);
    const handle = repo.create<Doc>({ count: 0 });
    const listener = vi.fn();
    const unsubscribe = pending.onChange(listener);
    increment(handle);
    pending.record(handle);
    pending.acknowledge(repo.create<Doc>({ count: 0 }), handle.heads());
    expect(listener).toHaveBeenCalledTimes(1);
    pending.clear();
    expect(listener).toHaveBeenCalledTimes(2);
    unsubscribe();
    pending.record(handle);
    expect(listener).toHaveBeenCalledTimes(2);
  });

  it("forgets everything on clear, in storage too", () => {
    const pending = new PendingChanges(KEY, sessionStorage);
    const handle = repo.create<Doc>({ count: 0 });
    pending.record(handle);
    pending.clear();
    expect(pending.documentIds()).toEqual([]);
    expect(sessionStorage.getItem(KEY)).toBeNull();
  });

  it("starts empty, with a warning, from damaged storage", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    sessionStorage.setItem(KEY, "{not json");
    expect(new PendingChanges(KEY, sessionStorage).documentIds()).toEqual([]);
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it("drops malformed entries and keeps the well-formed ones", () => {
    sessionStorage.setItem(
      KEY,
      JSON.stringify({
        good: { heads: ["abc"], at: 1 },
        noHeads: { at: 1 },
        badTime: { heads: [], at: "yesterday" },
        nothing: null,
        text: "heads",
      }),
    );
    expect(new PendingChanges(KEY, sessionStorage).documentIds()).toEqual(["good"]);
  });
});
