import type { PeerId } from "@automerge/automerge-repo";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { logConnectionStates } from "./connection-state-log.js";

/** A debug-level logger whose lines (level and message) the test reads. */
function linesOf() {
  const lines: [number, string][] = [];
  const logger = pino(
    { level: "debug" },
    {
      write: (line: string) => {
        const { level, msg } = JSON.parse(line) as { level: number; msg: string };
        lines.push([level, msg]);
      },
    },
  );
  return { logger, lines };
}

const relayPeerId = "relay:one" as PeerId;

describe("logConnectionStates", () => {
  it("logs each change once; the same failure again, and connecting, are not news", () => {
    const { logger, lines } = linesOf();
    const log = logConnectionStates(logger);
    const down = { kind: "offline", reason: "connection refused", retryAt: 1 } as const;
    log({ kind: "connecting" });
    log(down);
    log({ kind: "connecting" });
    log({ ...down, retryAt: 2 });
    log({ kind: "offline", reason: "connection closed (1001)", retryAt: 3 });
    log({ kind: "connected", relayPeerId });
    log({ kind: "stopped" });
    expect(lines).toEqual([
      [40, "relay unreachable: connection refused; retrying"],
      [20, "still offline: connection refused"],
      [40, "relay unreachable: connection closed (1001); retrying"],
      [30, "connected to the relay"],
      [30, "disconnected from the relay"],
    ]);
  });

  it("says a refused token once, as an error, whether closed with 4001 or refused with 401", () => {
    const { logger, lines } = linesOf();
    const log = logConnectionStates(logger);
    log({ kind: "unauthorized", reason: "the relay closed the connection: revoked", retryAt: 1 });
    log({ kind: "unauthorized", reason: "the relay refused the token (HTTP 401)", retryAt: 2 });
    expect(lines).toEqual([
      [50, "the relay closed the connection: revoked; retrying with backoff"],
      [20, "still unauthorized"],
    ]);
  });
});
