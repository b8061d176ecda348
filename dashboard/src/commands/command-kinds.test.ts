import { describe, expect, it } from "vitest";
import { argsFromForm, KIND_FORMS, type KindForm } from "./command-kinds.js";

function formOf(kind: string): KindForm {
  const form = KIND_FORMS.find((candidate) => candidate.kind === kind);
  if (form === undefined) throw new Error(`no form for ${kind}`);
  return form;
}

const scriptRun = formOf("script.run");
const sha256 = "a".repeat(64);

describe("argsFromForm", () => {
  it("makes no args for a kind that takes none", () => {
    expect(argsFromForm(formOf("system.reboot"), { stray: "x" })).toEqual({ args: {} });
  });

  it("trims text, parses numbers and comma-separated lists", () => {
    expect(
      argsFromForm(scriptRun, {
        name: "  backup.sh ",
        sha256,
        args: " --full, --quiet ,, -v ",
        timeoutS: " 90 ",
      }),
    ).toEqual({
      args: { name: "backup.sh", sha256, args: ["--full", "--quiet", "-v"], timeoutS: 90 },
    });
    expect(argsFromForm(scriptRun, { name: "b", sha256, timeoutS: "2.5" })).toEqual({
      args: { name: "b", sha256, timeoutS: 2.5 },
    });
  });

  it("leaves out empty and blank optional fields", () => {
    expect(argsFromForm(scriptRun, { name: "backup.sh", sha256, args: "   " })).toEqual({
      args: { name: "backup.sh", sha256 },
    });
  });

  it("names the first missing required field by its label", () => {
    expect(argsFromForm(scriptRun, { sha256 })).toEqual({ problem: "Script name is required" });
    expect(argsFromForm(scriptRun, { name: "backup.sh", sha256: "  " })).toEqual({
      problem: "SHA-256 is required",
    });
    expect(argsFromForm(formOf("shell.run"), {})).toEqual({ problem: "Command is required" });
  });

  it.each(["abc", "0", "-5", "Infinity"])("refuses %j as a timeout, quoting it", (timeout) => {
    const result = argsFromForm(scriptRun, { name: "backup.sh", sha256, timeoutS: timeout });
    expect(result).toEqual({
      problem: `Timeout (s) must be a positive number, not "${timeout}"`,
    });
  });
});

describe("KIND_FORMS", () => {
  it("has one form per kind, each field named once", () => {
    const kinds = KIND_FORMS.map((form) => form.kind);
    expect(new Set(kinds).size).toBe(kinds.length);
    for (const form of KIND_FORMS) {
      const names = form.args.map((field) => field.name);
      expect(new Set(names).size).toBe(names.length);
    }
  });
});
