/**
 * The dashboard the relay serves, and every other answer, carry a strict
 * Content-Security-Policy that forbids framing, plus the headers that stop sniffing and referrers.
 * (test/browser/content-security-policy.test.ts checks the real dashboard runs under it.)
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestRelay, type TestRelay } from "../testing/relay-fixture.js";
import { contentSecurityPolicy } from "./security-headers.js";

let dashboard: string;
let fixture: TestRelay;

beforeAll(async () => {
  dashboard = await mkdtemp(join(tmpdir(), "outpost-dashboard-"));
  await writeFile(join(dashboard, "index.html"), "<!doctype html><title>Outpost</title>");
  fixture = await startTestRelay({ dashboardDirectory: dashboard });
});

afterAll(async () => {
  await fixture?.close();
  await rm(dashboard, { recursive: true, force: true });
});

/** The CSP's directives by name. */
function directives(policy: string | null): Map<string, string[]> {
  return new Map(
    (policy ?? "")
      .split(";")
      .map((part) => part.trim().split(/\s+/))
      .filter((words) => words[0] !== "")
      .map(([name, ...values]) => [name ?? "", values]),
  );
}

describe("security headers", () => {
  for (const path of ["/", "/index.html", "/#/device/x", "/healthz", "/no-such-file"]) {
    it(`are on ${path}`, async () => {
      const response = await fetch(`${fixture.relay.url}${path}`);
      await response.arrayBuffer();
      const policy = directives(response.headers.get("content-security-policy"));
      expect(policy.get("frame-ancestors")).toEqual(["'none'"]);
      expect(policy.get("default-src")).toEqual(["'none'"]);
      expect(policy.get("script-src")).toEqual(["'self'", "'wasm-unsafe-eval'"]);
      expect(policy.get("object-src")).toEqual(["'none'"]);
      expect(policy.get("base-uri")).toEqual(["'none'"]);
      const host = new URL(fixture.relay.url).host;
      expect(policy.get("connect-src")).toEqual(["'self'", `ws://${host}`, `wss://${host}`]);
      expect(response.headers.get("x-frame-options")).toBe("DENY");
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    });
  }

  it("allow no inline script or style anywhere in the policy", () => {
    const policy = contentSecurityPolicy("relay.example.com");
    expect(policy).not.toContain("'unsafe-inline'");
    expect(policy).not.toContain("'unsafe-eval'");
    expect(policy.split(/[\s;]+/)).not.toContain("*");
    expect(directives(policy).get("style-src")).toEqual(["'self'"]);
  });

  it("leave a Host header that is not a plain host out of the policy", () => {
    for (const host of ["evil.example; script-src *", "a b", "x'y", ""]) {
      expect(directives(contentSecurityPolicy(host)).get("connect-src")).toEqual(["'self'"]);
    }
    expect(directives(contentSecurityPolicy("[::1]:8080")).get("connect-src")).toEqual([
      "'self'",
      "ws://[::1]:8080",
      "wss://[::1]:8080",
    ]);
  });
});
