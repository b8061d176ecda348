import type { Page } from "playwright-core";

/** Opens the one-click sign-in link (`/?token=…`, as `npm start` prints it) and waits for the fleet. */
export async function signIn(page: Page, relayUrl: string, token: string): Promise<void> {
  await page.goto(`${relayUrl}/?token=${token}`);
  await page.getByRole("heading", { name: "Fleet" }).waitFor({ timeout: 30_000 });
}

/** Opens a device's page and waits until its document is shown. */
export async function openDevice(page: Page, deviceId: string): Promise<void> {
  await page.goto(`${new URL(page.url()).origin}/#/device/${encodeURIComponent(deviceId)}`);
  await page.getByRole("heading", { name: "Commands" }).waitFor({ timeout: 30_000 });
}

/** Waits until the service worker controls the page, so a reload works with the relay down. */
export async function untilServiceWorkerControls(page: Page): Promise<void> {
  await page.waitForFunction(() => navigator.serviceWorker?.controller !== null, undefined, {
    timeout: 30_000,
  });
}

/** The header's connection label: "Online", "Syncing…", "Offline", … */
export function connectionLabel(page: Page): Promise<string | null> {
  return page.locator(".sync .label").textContent();
}

/** The header's count of documents with changes the relay has not stored ("all stored" or "N not on relay"). */
export function pendingLabel(page: Page): Promise<string | null> {
  return page.locator(".sync .pending").textContent();
}

/** Tells the page the network is back (as the browser does), so it reconnects now. */
export async function networkBack(page: Page): Promise<void> {
  await page.evaluate(() => window.dispatchEvent(new Event("online")));
}

/** The list item of a command on the device page. */
export function commandItem(page: Page, commandId: string) {
  return page.locator(`li.command[data-command="${commandId}"]`);
}

/** The status a command shows. */
export function commandStatus(page: Page, commandId: string): Promise<string | null> {
  return commandItem(page, commandId).getAttribute("data-status");
}

/**
 * Enqueues `kind` (its label in the form) from the device page; returns the new command's ID.
 * `notBefore` is a `datetime-local` value (`2026-12-03T09:00`).
 */
export async function enqueueFromDevicePage(
  page: Page,
  kindLabel: string,
  options: { notBefore?: string; maintenanceWindow?: boolean } = {},
): Promise<string> {
  const before = await page
    .locator("li.command")
    .evaluateAll((items) => items.map((item) => item.getAttribute("data-command")));
  await page.getByRole("button", { name: "Enqueue a command" }).click();
  await page.getByLabel("Command", { exact: true }).selectOption({ label: kindLabel });
  if (options.notBefore) await page.getByLabel("Not before").fill(options.notBefore);
  if (options.maintenanceWindow) await page.getByLabel("Only in the maintenance window").check();
  await page
    .getByRole("button", { name: /^Enqueue/ })
    .last()
    .click();
  await page.getByText(/^Enqueued /).waitFor();
  const after = await page
    .locator("li.command")
    .evaluateAll((items) => items.map((item) => item.getAttribute("data-command")));
  const added = after.find((id) => id !== null && !before.includes(id));
  if (added === undefined || added === null) throw new Error("the new command did not appear");
  return added;
}

/** A `datetime-local` value for `at`, in the browser's (and this machine's) local time. */
export function localDateTime(at: number): string {
  const date = new Date(at);
  const pad = (value: number) => String(value).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
