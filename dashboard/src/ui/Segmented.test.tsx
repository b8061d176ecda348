import { cleanup, fireEvent, render, screen } from "@solidjs/testing-library";
import { createSignal } from "solid-js";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Segmented } from "./Segmented.js";

type Filter = "all" | "open" | "failed";

const OPTIONS = [
  { value: "all", label: "All" },
  { value: "open", label: "Open" },
  { value: "failed", label: "Failed" },
] as const;

afterEach(cleanup);

/** A Segmented whose value the test owns; `onChange` records and applies each choice. */
function renderSegmented(initial: Filter) {
  const [value, setValue] = createSignal<Filter>(initial);
  const onChange = vi.fn((next: Filter) => setValue(next));
  render(() => (
    <Segmented legend="Which commands" options={OPTIONS} value={value()} onChange={onChange} />
  ));
  return { setValue, onChange };
}

const radio = (name: string) => screen.getByRole("radio", { name }) as HTMLInputElement;
const checkedLabels = () =>
  screen
    .getAllByRole("radio")
    .filter((input) => (input as HTMLInputElement).checked)
    .map((input) => input.parentElement?.textContent);

describe("Segmented", () => {
  it("is a radio group named by its legend, one radio per option", () => {
    renderSegmented("all");
    const group = screen.getByRole("group", { name: "Which commands" });
    expect(group.querySelectorAll("input[type=radio]")).toHaveLength(3);
    const names = new Set(
      screen.getAllByRole("radio").map((input) => (input as HTMLInputElement).name),
    );
    expect(names.size).toBe(1);
  });

  it("checks the option of the current value, and follows it when it changes", () => {
    const { setValue } = renderSegmented("open");
    expect(checkedLabels()).toEqual(["Open"]);
    setValue("failed");
    expect(checkedLabels()).toEqual(["Failed"]);
  });

  it("tells onChange which option was clicked", () => {
    const { onChange } = renderSegmented("all");
    fireEvent.click(radio("Failed"));
    expect(onChange).toHaveBeenCalledExactlyOnceWith("failed");
    expect(checkedLabels()).toEqual(["Failed"]);
  });

  it("gives each group its own radio name", () => {
    renderSegmented("all");
    renderSegmented("open");
    const names = new Set(
      screen.getAllByRole("radio").map((input) => (input as HTMLInputElement).name),
    );
    expect(names.size).toBe(2);
  });
});
