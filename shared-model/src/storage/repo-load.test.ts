import { mkdtemp, readdir, rm, unlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as A from "@automerge/automerge";
import { type AutomergeUrl, Repo } from "@automerge/automerge-repo";
import { afterEach, describe, expect, it } from "vitest";
import { forgetLoadPatches } from "../documents/forget-load-patches.js";
import { CrashSafeFileStorageAdapter } from "./crash-safe-file-storage-adapter.js";

// How automerge-repo loads a stored document, as patched (patches/README.md): `A.load` of the
// stored chunks instead of `loadIncremental` into an empty document, and the whole-document
// patches of the first `change` event computed only when a listener reads them.

type Notes = {
  notes: Record<string, string>;
  list: number[];
};

const folders: string[] = [];
afterEach(async () => {
  await Promise.all(folders.splice(0).map((folder) => rm(folder, { recursive: true })));
});

async function storageFolder(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), "outpost-repo-load-"));
  folders.push(folder);
  return folder;
}

/** A repo over the crash-safe adapter in `folder`, as the agent and the relay open theirs. */
async function openRepo(folder: string): Promise<Repo> {
  return new Repo({ storage: await CrashSafeFileStorageAdapter.create(folder), network: [] });
}

/** A first version over 1 KB: automerge-repo compacts smaller documents on every save. */
function initialNotes(): Notes {
  const notes: Record<string, string> = {};
  for (let index = 0; index < 100; index++)
    notes[`initial ${index}`] = `note number ${index * 7919}`;
  return { notes, list: Array.from({ length: 500 }, (_, index) => index) };
}

/**
 * Writes a document with a snapshot and incremental chunks on disk: many small changes (each an
 * incremental chunk), concurrent changes from a second actor merged in, and a compaction when
 * the incremental chunks outgrow the snapshot. Returns its URL and its content as written.
 */
async function writeStored(folder: string): Promise<{ url: AutomergeUrl; written: Notes }> {
  const repo = await openRepo(folder);
  const handle = repo.create<Notes>(initialNotes());
  for (let round = 0; round < 12; round++) {
    handle.change((doc) => {
      doc.notes[`n${round}`] = `written in round ${round}`;
      doc.list.push(round);
    });
    // A concurrent change from another actor, merged: its chunk depends on heads of both.
    const other = A.change(A.clone(handle.doc(), { actor: "ab".repeat(16) }), (doc) => {
      doc.list.unshift(-round);
    });
    handle.update((doc) => A.merge(doc, other));
    await repo.flush();
  }
  // And an incremental chunk after the last compaction.
  handle.change((doc) => {
    doc.notes.last = "after the rounds";
  });
  await repo.flush();
  const written = A.toJS(handle.doc()) as Notes;
  await repo.shutdown();
  return { url: handle.url, written };
}

function concatenate(chunks: Uint8Array[]): Uint8Array {
  const joined = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    joined.set(chunk, offset);
    offset += chunk.length;
  }
  return joined;
}

async function chunkFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && /(snapshot|incremental)/.test(entry.parentPath))
    .map((entry) => join(entry.parentPath, entry.name));
}

describe("a stored document loaded by the patched automerge-repo", () => {
  it("reads back what was written from a snapshot and incremental chunks, keeping no load patches", async () => {
    const folder = await storageFolder();
    const { url, written } = await writeStored(folder);
    const files = await chunkFiles(folder);
    expect(files.some((file) => file.includes("incremental"))).toBe(true);

    const repo = await openRepo(folder);
    const handle = await repo.find<Notes>(url);
    expect(A.toJS(handle.doc())).toEqual(written);
    // `loadIncremental` into an empty document keeps the whole document's patches until its
    // next change (documents/forget-load-patches.ts); `A.load` keeps none.
    expect(forgetLoadPatches(handle.doc())).toBe(false);
    handle.change((doc) => {
      doc.notes.after = "a change after the load";
    });
    await repo.shutdown();
    const reopened = await openRepo(folder);
    expect((await reopened.find<Notes>(url)).doc().notes.after).toBe("a change after the load");
    await reopened.shutdown();
  });

  it("loads chunks in any order, and one whose dependency is lost as upstream did", () => {
    let doc = A.from<Notes>(initialNotes());
    const snapshot = A.save(doc);
    const increments: Uint8Array[] = [];
    for (let round = 0; round < 3; round++) {
      doc = A.change(doc, (draft) => {
        draft.notes[`round ${round}`] = `round ${round}`;
      });
      increments.push(A.saveIncremental(doc));
    }
    const [first, second, third] = increments as [Uint8Array, Uint8Array, Uint8Array];
    const orders = [
      [snapshot, first, second, third],
      [third, second, first, snapshot],
      [second, snapshot, third, first],
    ];
    for (const order of orders) {
      const binary = concatenate(order);
      expect(A.toJS(A.load<Notes>(binary))).toEqual(A.toJS(doc));
      expect(A.getHeads(A.load(binary))).toEqual(A.getHeads(doc));
    }
    // Without `first`, `second` and `third` wait for it: both ways load the snapshot alone.
    const gap = concatenate([snapshot, second, third]);
    expect(A.toJS(A.load<Notes>(gap))).toEqual(initialNotes());
    expect(A.toJS(A.loadIncremental(A.init<Notes>(), gap))).toEqual(initialNotes());
  });

  it("loads a stored document one of whose chunks is lost as upstream did", async () => {
    const folder = await storageFolder();
    const repo = await openRepo(folder);
    const handle = repo.create<Notes>(initialNotes());
    await repo.flush();
    // The repo's first save after a create is a snapshot again (it knows no chunk sizes yet).
    handle.change((doc) => {
      doc.list.push(500);
    });
    await repo.flush();
    const files = new Set(await chunkFiles(folder));
    handle.change((doc) => {
      doc.notes.lost = "in a chunk that goes missing";
    });
    await repo.flush();
    const lost = (await chunkFiles(folder)).filter((file) => !files.has(file));
    expect(lost[0]).toContain("/incremental/");
    handle.change((doc) => {
      doc.notes.kept = "depends on the lost change";
    });
    await repo.flush();
    await repo.shutdown();
    expect(lost).toHaveLength(1);
    await unlink(lost[0] as string);

    const reopened = await openRepo(folder);
    const found = await reopened.find<Notes>(handle.url);
    // As `loadIncremental` leaves it: the change without its dependency waits, unapplied.
    expect(found.doc()).toEqual({ ...initialNotes(), list: [...initialNotes().list, 500] });
    await reopened.shutdown();
  });

  it("still hands the first change event's patches to a listener that reads them", async () => {
    const folder = await storageFolder();
    const { url, written } = await writeStored(folder);
    const repo = await openRepo(folder);
    const progress = repo.findWithProgress<Notes>(url);
    const seen: A.Patch[][] = [];
    progress.handle.on("change", ({ patches }) => seen.push(patches));
    const handle = await repo.find<Notes>(url);
    expect(A.toJS(handle.doc())).toEqual(written);
    expect(seen).toHaveLength(1);
    // The whole document from empty, as upstream's eager diff gave them.
    expect(seen[0]).toEqual(A.diff(handle.doc(), [], A.getHeads(handle.doc())));
    expect(seen[0]?.length).toBeGreaterThan(12);
    await repo.shutdown();
  });
});
