/** What a browser says of itself through User-Agent Client Hints, where it has them. */
interface UserAgentData {
  brands?: readonly { brand: string; version: string }[];
  platform?: string;
}

/** Brands that say nothing about which browser it is. */
const FILLER_BRAND = /not.?a.?brand|^chromium$/i;

/**
 * Which browser and system hold an admin key, for the people approving it ("Chrome on Linux"):
 * from `navigator.userAgentData` where the browser has it, else from the user agent string.
 */
export function browserLabel(
  browser: { userAgent: string; userAgentData?: UserAgentData } = navigator as Navigator & {
    userAgentData?: UserAgentData;
  },
): string {
  const hints = browser.userAgentData;
  if (hints?.brands !== undefined && hints.brands.length > 0) {
    const brand =
      hints.brands.find((entry) => !FILLER_BRAND.test(entry.brand)) ??
      hints.brands.find((entry) => entry.brand.toLowerCase() === "chromium");
    if (brand !== undefined)
      return `${brand.brand} on ${hints.platform || systemOf(browser.userAgent)}`;
  }
  return `${browserOf(browser.userAgent)} on ${systemOf(browser.userAgent)}`;
}

function browserOf(userAgent: string): string {
  if (/Edg\//.test(userAgent)) return "Edge";
  if (/Firefox\//.test(userAgent)) return "Firefox";
  if (/Chrome\//.test(userAgent)) return "Chrome";
  if (/Safari\//.test(userAgent)) return "Safari";
  return "a browser";
}

function systemOf(userAgent: string): string {
  if (/Windows/.test(userAgent)) return "Windows";
  if (/iPhone|iPad/.test(userAgent)) return "iOS";
  if (/Mac OS X|Macintosh/.test(userAgent)) return "macOS";
  if (/Android/.test(userAgent)) return "Android";
  if (/Linux|X11/.test(userAgent)) return "Linux";
  return "an unknown system";
}
