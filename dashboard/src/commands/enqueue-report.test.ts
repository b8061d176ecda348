import type { CommandId } from "@outpost/shared-model";
import { describe, expect, it } from "vitest";
import { type EnqueueReport, summarizeEnqueue } from "./enqueue-report.js";

const id = "c-1" as CommandId;
const NOT_HERE = "not in this browser yet";

function written(enqueued: string[], notEnqueued: [string, string][] = []): EnqueueReport {
  return {
    kind: "written",
    id,
    enqueued,
    notEnqueued: notEnqueued.map(([deviceId, reason]) => ({ deviceId, reason })),
  };
}

describe("summarizeEnqueue", () => {
  it("says how many devices got the command when all did", () => {
    expect(summarizeEnqueue(written(["a", "b"]), "shell command")).toEqual({
      done: "Enqueued shell command on 2 device(s).",
      problems: [],
    });
  });

  it("gives a refused command's problem alone: no device has it", () => {
    expect(summarizeEnqueue({ kind: "refused", problem: "bad" }, "reboot")).toEqual({
      problems: ["bad"],
    });
  });

  it("says which devices got it, and names the others grouped by reason", () => {
    const report = written(
      ["a", "d"],
      [
        ["b", NOT_HERE],
        ["c", "could not be written: boom"],
        ["e", NOT_HERE],
      ],
    );
    expect(summarizeEnqueue(report, "reboot")).toEqual({
      done: "Enqueued reboot on 2 of 5 devices.",
      problems: [
        `Not enqueued on b, e: ${NOT_HERE}`,
        "Not enqueued on c: could not be written: boom",
      ],
    });
  });

  it("says nothing was done when no device got it", () => {
    expect(summarizeEnqueue(written([], [["b", NOT_HERE]]), "reboot")).toEqual({
      problems: [`Not enqueued on b: ${NOT_HERE}`],
    });
  });

  it("names ten devices of a reason and counts the rest", () => {
    const left = Array.from({ length: 13 }, (_, i) => [`d${i}`, NOT_HERE] as [string, string]);
    const { problems } = summarizeEnqueue(written(["a"], left), "reboot");
    expect(problems).toEqual([
      `Not enqueued on d0, d1, d2, d3, d4, d5, d6, d7, d8, d9 and 3 more: ${NOT_HERE}`,
    ]);
  });
});
