import { describe, expect, it } from "vitest";
import { browserLabel } from "./browser-label.js";

describe("browserLabel", () => {
  it("names the browser and system from client hints, past the filler brands", () => {
    expect(
      browserLabel({
        userAgent: "ignored",
        userAgentData: {
          brands: [
            { brand: "Not)A;Brand", version: "8" },
            { brand: "Chromium", version: "138" },
            { brand: "Google Chrome", version: "138" },
          ],
          platform: "Linux",
        },
      }),
    ).toBe("Google Chrome on Linux");
    expect(
      browserLabel({
        userAgent: "Mozilla/5.0 (X11; Linux x86_64) Chrome/138.0",
        userAgentData: { brands: [{ brand: "Chromium", version: "138" }], platform: "" },
      }),
    ).toBe("Chromium on Linux");
  });

  it.each([
    [
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0",
      "Firefox on Windows",
    ],
    [
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
      "Safari on macOS",
    ],
    [
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0 Safari/537.36 Edg/138.0",
      "Edge on Windows",
    ],
    ["curl/8.0", "a browser on an unknown system"],
  ])("reads %j as %j", (userAgent, label) => {
    expect(browserLabel({ userAgent })).toBe(label);
  });
});
