import { describe, expect, it } from "vitest";
import { makeConsoleLogger } from "./console-logger.js";

describe("makeConsoleLogger", () => {
  it("writes one readable line per record, marking warnings and errors, and honours the level", () => {
    const lines: string[] = [];
    const logger = makeConsoleLogger("relay", (line) => lines.push(line), "info");
    logger.debug("not shown");
    logger.info({ port: 8080 }, "listening");
    logger.warn("disk nearly full");
    logger.child({ name: "relay:access" }).error("refused a token");
    expect(lines).toEqual([
      "relay: listening\n",
      "relay: warning: disk nearly full\n",
      "relay:access: error: refused a token\n",
    ]);
  });
});
