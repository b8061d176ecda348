#!/usr/bin/env node
/**
 * Before `npm test`: the dashboard's browser tests drive a system Chromium (never a downloaded
 * browser). This finds it, installs Debian's package when it can (root with apt-get, as in CI),
 * and otherwise says exactly what to do.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

const wanted = process.env.OUTPOST_CHROMIUM ?? "/usr/bin/chromium";
if (existsSync(wanted)) process.exit(0);

const root = typeof process.getuid === "function" && process.getuid() === 0;
if (!process.env.OUTPOST_CHROMIUM && root && existsSync("/usr/bin/apt-get")) {
  process.stdout.write("The browser tests need Chromium: installing Debian's package…\n");
  const quiet = {
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  };
  execFileSync("apt-get", ["update", "-qq"], quiet);
  execFileSync("apt-get", ["install", "-y", "-qq", "chromium"], quiet);
  if (existsSync(wanted)) process.exit(0);
}
process.stderr.write(
  `The dashboard's browser tests need Chromium at ${wanted}.\n` +
    "Install it (Debian/Ubuntu: sudo apt-get install chromium), or point OUTPOST_CHROMIUM at a\n" +
    "Chromium or Chrome binary, then run npm test again.\n",
);
process.exit(1);
