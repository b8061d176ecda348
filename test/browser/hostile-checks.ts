/**
 * What the hostile-input test checks in Chromium: a browser profile that notices what only a
 * payload would do (run, make a request, open a dialog, break the Content-Security-Policy),
 * markup from payloads in the page, what an admin reads, and each export as CSV against JSON.
 */
import { readFile } from "node:fs/promises";
import type { Cleanup } from "@outpost/shared-model/testing";
import { type BrowserProfile, launchProfile } from "@outpost/test-support/browser";
import Papa from "papaparse";
import type { Locator, Page } from "playwright-core";
import { expect } from "vitest";
import { type PayloadBook, PROBE, RAN } from "./hostile-payloads.js";

/** What a browser profile saw that only a payload would cause. */
export interface Watch {
  /** URLs of requests under {@link PROBE}: an injected image, or a payload that ran. */
  probes: string[];
  dialogs: string[];
  /** Console lines in which Chromium reports what the policy refused. */
  consoleCsp: string[];
}

/**
 * A browser profile that records, on every page and frame, what would betray a payload: it
 * defines {@link RAN} (a payload that runs calls it, and it asks for a probe URL), and collects
 * the policy's violation events in `window.__cspViolations`.
 */
export async function watchedProfile(
  cleanup: Cleanup,
  bypassCSP: boolean,
): Promise<{ profile: BrowserProfile; watch: Watch }> {
  const profile = cleanup.add(await launchProfile({ bypassCSP }), (p) => p.close());
  const watch: Watch = { probes: [], dialogs: [], consoleCsp: [] };
  await profile.context.addInitScript(
    ({ ran, probe }) => {
      const page = window as unknown as Record<string, unknown>;
      page[ran] = (tag: string) => void fetch(`${probe}ran/${tag}/`);
      page.__cspViolations = [];
      document.addEventListener("securitypolicyviolation", (event) => {
        (page.__cspViolations as string[]).push(
          `${event.effectiveDirective} ${event.blockedURI} ${event.sample}`,
        );
      });
    },
    { ran: RAN, probe: PROBE },
  );
  profile.context.on("request", (request) => {
    if (request.url().includes(PROBE)) watch.probes.push(request.url());
  });
  profile.context.on("page", (page) => {
    page.on("dialog", (dialog) => {
      watch.dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on("console", (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text()))
        watch.consoleCsp.push(message.text());
    });
  });
  return { profile, watch };
}

/**
 * Elements and attributes in the page that carry a payload where the browser would act on it:
 * any attribute but those that only ever hold text, and the text of elements that run or load it.
 */
function injectedMarkup(page: Page): Promise<string[]> {
  return page.evaluate(
    (markers) => {
      const carries = (text: string | null) => markers.some((marker) => text?.includes(marker));
      const textAttributes = new Set([
        "value",
        "title",
        "aria-label",
        "placeholder",
        "data-value",
        "data-command",
        "data-metric",
      ]);
      const runsItsText = new Set(["script", "style", "iframe", "object", "embed", "template"]);
      const found: string[] = [];
      for (const element of document.querySelectorAll("*")) {
        for (const attribute of element.attributes) {
          if (carries(attribute.value) && !textAttributes.has(attribute.name))
            found.push(`<${element.localName} ${attribute.name}="${attribute.value}">`);
        }
        if (runsItsText.has(element.localName) && carries(element.textContent))
          found.push(element.outerHTML);
      }
      return found;
    },
    [RAN, PROBE],
  );
}

/**
 * Nothing a payload does happened: no markup from it in the page, no request, no dialog; a
 * failure names the fields `book` wrote it into.
 */
export async function expectInert(page: Page, watch: Watch, book: PayloadBook): Promise<void> {
  const markup = await injectedMarkup(page);
  expect(markup, `markup from ${book.fieldsIn(markup).join(", ")}`).toEqual([]);
  expect(watch.probes, `requests from ${book.fieldsIn(watch.probes).join(", ")}`).toEqual([]);
  expect(watch.dialogs, `dialogs from ${book.fieldsIn(watch.dialogs).join(", ")}`).toEqual([]);
}

/** The page's text and every form field's value: what an admin reads. */
export function shownText(page: Page): Promise<string> {
  return page.evaluate(() =>
    [
      document.body.textContent ?? "",
      ...Array.from(
        document.querySelectorAll<HTMLInputElement>("input, textarea, select"),
        (field) => field.value,
      ),
    ].join("\n"),
  );
}

/** `expected` that are not in `text`; leading white space may be dropped by the page. */
export const missingFrom = (text: string, expected: readonly string[]) =>
  expected.filter((value) => !text.includes(value.trimStart()));

/** One export as CSV and as JSON, the CSV checked cell by cell against the JSON. */
export interface BothExports {
  /** The files' names, CSV then JSON. */
  names: string[];
  csv: string[][];
  json: { units: Record<string, string>; rows: Record<string, unknown>[] };
}

/**
 * Downloads the export group `label` as CSV and JSON, and checks that each CSV cell is the JSON
 * value written as text, with a `'` before the text that starts a formula (whose first character
 * goes into `leads`) and nothing else changed.
 */
export async function exportBoth(
  page: Page,
  label: string,
  leads: Set<string>,
): Promise<BothExports> {
  const group = page.getByRole("group", { name: `Export ${label}` });
  const csvFile = await download(page, group.getByRole("button", { name: `Export ${label} CSV` }));
  const jsonFile = await download(page, group.getByRole("button", { name: "JSON", exact: true }));
  const parsed = Papa.parse<string[]>(csvFile.text.slice(0, -2), { newline: "\r\n" });
  expect(parsed.errors).toEqual([]);
  const json = JSON.parse(jsonFile.text) as BothExports["json"];
  const keys = Object.keys(json.rows[0] ?? {});
  const asCsv = (value: unknown) => {
    if (value === null) return "";
    if (typeof value !== "string") return String(value);
    if (!/^[=+\-@\t\r]/.test(value)) return value;
    leads.add(value.charAt(0));
    return `'${value}`;
  };
  expect(parsed.data.slice(1)).toEqual(json.rows.map((row) => keys.map((key) => asCsv(row[key]))));
  return { names: [csvFile.name, jsonFile.name], csv: parsed.data, json };
}

/** Clicks `button` and reads the file it downloads. */
async function download(page: Page, button: Locator): Promise<{ name: string; text: string }> {
  const [file] = await Promise.all([page.waitForEvent("download"), button.click()]);
  return { name: file.suggestedFilename(), text: await readFile(await file.path(), "utf8") };
}
