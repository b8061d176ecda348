import type { DocumentId } from "@automerge/automerge-repo";
import { silentLogger } from "@outpost/shared-model";
import { describe, expect, it } from "vitest";
import { RelayMetrics } from "../metrics/relay-metrics.js";
import { LoadBudget, type LoadedDocuments } from "./load-budget.js";

const id = (name: string) => name as DocumentId;

/**
 * A stand-in for the repo's documents: `load` is what automerge-repo does after admission,
 * `settle` marks a document stored and acknowledged. Evictable = settled, in the order settled.
 */
class FakeDocuments implements LoadedDocuments {
  readonly documents = new Set<DocumentId>();
  readonly settled = new Set<DocumentId>();
  readonly evicted: DocumentId[] = [];
  /** Ops per document (0 unless set); pinned documents count against no ops bound. */
  readonly sizes = new Map<DocumentId, number>();
  readonly pinned = new Set<DocumentId>();
  /** Whether `evict` succeeds (false: the document was touched while flushing). */
  evictSucceeds = true;

  load(documentId: DocumentId): void {
    this.documents.add(documentId);
  }
  settle(documentId: DocumentId): void {
    this.settled.add(documentId);
  }
  loaded(): readonly DocumentId[] {
    return [...this.documents];
  }
  isLoaded(documentId: DocumentId): boolean {
    return this.documents.has(documentId);
  }
  evictable(): DocumentId[] {
    return [...this.settled].filter((documentId) => this.documents.has(documentId));
  }
  isSettled(documentId: DocumentId): boolean {
    return this.settled.has(documentId);
  }
  ops(documentId: DocumentId): number {
    return this.sizes.get(documentId) ?? 0;
  }
  isPinned(documentId: DocumentId): boolean {
    return this.pinned.has(documentId);
  }
  async evict(documentId: DocumentId): Promise<boolean> {
    if (!this.evictSucceeds || this.pinned.has(documentId)) return false;
    this.documents.delete(documentId);
    this.settled.delete(documentId);
    this.evicted.push(documentId);
    return true;
  }
}

function budgetOf(maxLoaded: number, maxSyncing = maxLoaded, maxOps?: number) {
  const documents = new FakeDocuments();
  const metrics = new RelayMetrics();
  const budget = new LoadBudget({
    maxLoaded,
    maxSyncing,
    ...(maxOps === undefined ? {} : { maxOps }),
    documents,
    logger: silentLogger,
    metrics,
  });
  /** Admits like automerge-repo: once admitted, the document loads. */
  const request = (name: string) => {
    let admitted = false;
    const promise = budget.admit(id(name)).then(() => {
      admitted = true;
      documents.load(id(name));
    });
    return { promise, admitted: () => admitted };
  };
  return { budget, documents, metrics, request };
}

const turn = () => new Promise((resolve) => setTimeout(resolve, 80));

describe("LoadBudget", () => {
  it("admits at once while there is room, and loaded documents always", async () => {
    const { documents, request } = budgetOf(2);
    await request("a").promise;
    await request("b").promise;
    expect(documents.loaded()).toEqual(["a", "b"]);
    // Already in memory: no slot needed.
    await request("a").promise;
  });

  it("makes a document wait while memory is full and nothing is settled", async () => {
    const { budget, request, metrics } = budgetOf(2);
    await request("a").promise;
    await request("b").promise;
    const c = request("c");
    await turn();
    expect(c.admitted()).toBe(false);
    expect(budget.waiting).toBe(1);
    expect((await metrics.documentsWaiting.get()).values[0]?.value).toBe(1);
  });

  it("unloads settled documents, least recently used first, to admit waiting ones in order", async () => {
    const { budget, documents, request, metrics } = budgetOf(2);
    await request("a").promise;
    await request("b").promise;
    const c = request("c");
    const d = request("d");
    const e = request("e");
    await turn();
    documents.settle(id("b"));
    documents.settle(id("a"));
    budget.pump();
    await c.promise;
    await d.promise;
    expect(documents.evicted).toEqual(["b", "a"]);
    expect(documents.loaded()).toEqual(["c", "d"]);
    expect(e.admitted()).toBe(false);
    // The retry timer finds documents that settle without anyone calling pump().
    documents.settle(id("c"));
    await e.promise;
    expect(documents.loaded()).toEqual(["d", "e"]);
    expect((await metrics.documentsEvicted.get()).values[0]?.value).toBe(3);
    expect(budget.waiting).toBe(0);
  });

  it("gives a document asked for twice one turn and one slot", async () => {
    const { budget, documents, request } = budgetOf(1);
    await request("a").promise;
    const first = request("b");
    const second = request("b");
    await turn();
    expect(budget.waiting).toBe(1);
    documents.settle(id("a"));
    await Promise.all([first.promise, second.promise]);
    expect(documents.loaded()).toEqual(["b"]);
  });

  it("counts admitted documents still on their way in", async () => {
    const { budget, documents } = budgetOf(1);
    await budget.admit(id("a")); // admitted, but the repo has not created its handle yet
    let admitted = false;
    void budget.admit(id("b")).then(() => {
      admitted = true;
    });
    await turn();
    expect(admitted).toBe(false);
    documents.load(id("a"));
    documents.settle(id("a"));
    await turn();
    expect(admitted).toBe(true);
  });

  it("keeps waiting when a settled document is touched while being unloaded", async () => {
    const { documents, request } = budgetOf(1);
    await request("a").promise;
    documents.evictSucceeds = false;
    documents.settle(id("a"));
    const b = request("b");
    await turn();
    expect(b.admitted()).toBe(false);
    documents.evictSucceeds = true;
    await b.promise;
    expect(documents.loaded()).toEqual(["b"]);
  });

  it("takes back the slot of a document abandoned after admission", async () => {
    const { budget, request } = budgetOf(1);
    await budget.admit(id("a"));
    const b = request("b");
    await turn();
    expect(b.admitted()).toBe(false);
    budget.abandon(id("a"));
    await b.promise;
  });

  it("admits no more documents than may sync at once, however much room there is", async () => {
    const { documents, request } = budgetOf(10, 2);
    await request("a").promise;
    await request("b").promise;
    const c = request("c");
    await turn();
    expect(c.admitted()).toBe(false);
    // Settled documents stay in memory (there is room) but no longer count as syncing.
    documents.settle(id("a"));
    await c.promise;
    expect(documents.loaded()).toEqual(["a", "b", "c"]);
    expect(documents.evicted).toEqual([]);
  });

  it("holds big documents within the ops bound while small ones fill the count", async () => {
    const { documents, request } = budgetOf(10, 10, 100);
    documents.sizes.set(id("day1"), 60);
    documents.sizes.set(id("day2"), 60);
    documents.sizes.set(id("device"), 5);
    await request("day1").promise;
    await request("device").promise;
    const day2 = request("day2");
    await turn();
    // 60 + 5 held: another 60 would pass 100, though the count has room for eight more.
    expect(day2.admitted()).toBe(false);
    documents.settle(id("device"));
    await turn();
    // Unloading the small settled DeviceDoc would not make room: nothing is unloaded for nothing.
    expect(documents.evicted).toEqual([]);
    documents.settle(id("day1"));
    await day2.promise;
    expect(documents.evicted).toEqual(["day1"]);
    expect(documents.loaded()).toEqual(["device", "day2"]);
  });

  it("unloads the largest settled documents for ops, the least recently used for count", async () => {
    const { documents, request } = budgetOf(3, 3, 100);
    for (const [name, ops] of [
      ["small", 10],
      ["big", 50],
      ["medium", 30],
    ] as const) {
      documents.sizes.set(id(name), ops);
      await request(name).promise;
      documents.settle(id(name));
    }
    documents.sizes.set(id("next"), 40);
    // Count: one slot wanted (3 loaded of 3), the least recently used goes: "small" (10 ops).
    // Ops: 90 - 10 + 40 = 120 > 100, so the largest of the rest goes too: "big".
    await request("next").promise;
    expect(documents.evicted).toEqual(["small", "big"]);
    expect(documents.loaded()).toEqual(["medium", "next"]);
  });

  it("admits a document larger than the whole ops bound once nothing else is held", async () => {
    const { documents, request } = budgetOf(10, 10, 100);
    documents.pinned.add(id("fleet"));
    documents.sizes.set(id("fleet"), 1_000);
    await request("fleet").promise;
    documents.sizes.set(id("huge"), 500);
    // Pinned documents count against no ops bound: "huge" is the only one held.
    await request("huge").promise;
    documents.sizes.set(id("after"), 1);
    const after = request("after");
    await turn();
    expect(after.admitted()).toBe(false);
    documents.settle(id("huge"));
    await after.promise;
    expect(documents.evicted).toEqual(["huge"]);
  });

  it("lets everything through when stopped", async () => {
    const { budget, request } = budgetOf(1);
    await request("a").promise;
    const b = request("b");
    budget.stop();
    await b.promise;
    expect(budget.waiting).toBe(0);
  });
});
