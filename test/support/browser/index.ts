/**
 * `@outpost/test-support/browser`: Debian's Chromium driven by playwright-core, the dashboard
 * built for tests, and the steps an admin takes on its pages.
 */
export { type BrowserProfile, CHROMIUM, launchProfile } from "./browser.js";
export { buildDashboard, TEST_BUILD_DIR } from "./dashboard-build.js";
export {
  commandItem,
  commandStatus,
  connectionLabel,
  enqueueFromDevicePage,
  localDateTime,
  networkBack,
  openDevice,
  pendingLabel,
  signIn,
  untilServiceWorkerControls,
} from "./dashboard-page.js";
