import { Repo } from "@automerge/automerge-repo/slim";
import { createRoot } from "solid-js";
import { describe, expect, it } from "vitest";
import { createDocumentStore, snapshotOf } from "./create-document-store.js";

interface Doc {
  title: string;
  count: number;
  tags: string[];
  nested: { list: { name: string }[]; map: Record<string, number> };
}

describe("createDocumentStore", () => {
  it("follows every kind of change, fine-grained, and stops listening with its owner", async () => {
    const repo = new Repo({ network: [] });
    const handle = repo.create<Doc>({
      title: "laptop",
      count: 1,
      tags: ["a", "b"],
      nested: { list: [{ name: "x" }], map: { one: 1 } },
    });
    // The repo listens too (to save); the store's own listener comes and goes with it.
    const repoListeners = handle.listenerCount("change");
    let titleReads = 0;
    const dispose = createRoot((dispose) => {
      const store = createDocumentStore(handle);
      const edits: (() => void)[] = [
        () =>
          handle.change((d) => {
            d.count += 1;
          }),
        () => handle.change((d) => void d.tags.push("c")),
        () => handle.change((d) => void d.tags.splice(0, 1)),
        () => handle.change((d) => void d.nested.list.push({ name: "y" })),
        () =>
          handle.change((d) => {
            d.nested.map.two = 2;
          }),
        () => handle.change((d) => void delete d.nested.map.one),
        () =>
          handle.change((d) => {
            d.title = "laptop-042";
          }),
        () =>
          handle.change((d) => {
            d.nested.list[0] = { name: "z" };
          }),
      ];
      for (const edit of edits) {
        edit();
        expect(snapshotOf(store)).toEqual(JSON.parse(JSON.stringify(handle.doc())));
      }
      expect(handle.listenerCount("change")).toBe(repoListeners + 1);
      titleReads = store.title.length;
      return dispose;
    });
    expect(titleReads).toBe("laptop-042".length);
    dispose();
    expect(handle.listenerCount("change")).toBe(repoListeners);
    await repo.shutdown();
  });

  it("never mutates Automerge's own objects", () => {
    const repo = new Repo({ network: [] });
    const handle = repo.create<Doc>({
      title: "t",
      count: 0,
      tags: [],
      nested: { list: [], map: {} },
    });
    createRoot((dispose) => {
      createDocumentStore(handle);
      const before = handle.doc();
      handle.change((d) => void d.tags.push("new"));
      expect(before.tags).toEqual([]);
      dispose();
    });
  });
});
