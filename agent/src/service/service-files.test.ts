/**
 * The service definitions as files: their content, and where this machine has the tools, the
 * platform's own checker (systemd-analyze verify; Python's plistlib and XML parser).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderLaunchdPlist } from "./launchd-plist.js";
import type { ServiceSpec } from "./service-spec.js";
import { renderPolkitRule, renderSystemdUnit } from "./systemd-unit.js";
import { renderWinswXml } from "./windows-service.js";

let folder: string;
let spec: ServiceSpec;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), "outpost-service-"));
  const entry = join(folder, "outpost agent", "outpost-agent.mjs");
  spec = {
    node: process.execPath,
    entry,
    config: "/etc/outpost-agent/agent.toml",
    data: "/var/lib/outpost-agent",
    user: "outpost-agent",
  };
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe("the systemd unit", () => {
  it("runs the bundle as a dedicated user, nice and idle, sandboxed to its data folder", () => {
    const unit = renderSystemdUnit(spec);
    for (const line of [
      "User=outpost-agent",
      "Group=outpost-agent",
      "NoNewPrivileges=yes",
      "ProtectSystem=strict",
      "ReadWritePaths=/var/lib/outpost-agent",
      "ProtectHome=yes",
      "Nice=10",
      "IOSchedulingClass=idle",
      "Restart=on-failure",
      "KillSignal=SIGTERM",
      "WantedBy=multi-user.target",
    ]) {
      expect(unit.split("\n")).toContain(line);
    }
    // The path with a space is quoted; the V8 flags are the bundle's.
    expect(unit).toContain(
      `ExecStart=${process.execPath} --max-semi-space-size=1 --v8-pool-size=1 --liftoff-only --no-opt "${spec.entry}" run --config /etc/outpost-agent/agent.toml`,
    );
  });

  // systemd-analyze reads the unit as systemd would; machines without systemd skip this part.
  it.runIf(existsSync("/usr/bin/systemd-analyze"))(
    "passes systemd-analyze verify with no warning",
    async () => {
      const path = join(folder, "outpost-agent.service");
      await writeFile(path, renderSystemdUnit(spec));
      const result = spawnSync("systemd-analyze", ["verify", path], { encoding: "utf8" });
      expect(result.stderr.trim()).toBe("");
      expect(result.status).toBe(0);
    },
  );

  it("has a polkit rule allowing exactly unit restarts and reboot to that user", () => {
    type Action = { id: string; lookup: (key: string) => string | undefined };
    const rules: ((action: Action, subject: { user: string }) => string)[] = [];
    const action = (id: string, verb?: string): Action => ({
      id,
      lookup: (key) => (key === "verb" ? verb : undefined),
    });
    const polkit = {
      Result: { YES: "yes", NOT_HANDLED: "not-handled" },
      addRule: (rule: (typeof rules)[number]) => rules.push(rule),
    };
    new Function("polkit", renderPolkitRule(spec))(polkit);
    const [rule] = rules;
    if (rule === undefined) throw new Error("the rule file adds no rule");
    const agent = { user: "outpost-agent" };
    const units = "org.freedesktop.systemd1.manage-units";
    expect(rule(action(units, "restart"), agent)).toBe("yes");
    expect(rule(action(units, "stop"), agent)).toBe("not-handled");
    expect(rule(action(units, "start"), agent)).toBe("not-handled");
    expect(rule(action(units), agent)).toBe("not-handled");
    expect(rule(action("org.freedesktop.login1.reboot"), agent)).toBe("yes");
    expect(rule(action("org.freedesktop.login1.reboot-multiple-sessions"), agent)).toBe("yes");
    expect(rule(action("org.freedesktop.login1.power-off"), agent)).toBe("not-handled");
    expect(rule(action(units, "restart"), { user: "mallory" })).toBe("not-handled");
  });
});

const python = ["/usr/bin/python3", "/usr/local/bin/python3"].find((path) => existsSync(path));

describe("the launchd daemon", () => {
  it("starts at boot, restarts on failure, at nice 10, low I/O, background", () => {
    const plist = renderLaunchdPlist({
      ...spec,
      data: "/Library/Application Support/Outpost & co",
    });
    expect(plist).toContain("<string>com.outpost.agent</string>");
    expect(plist).toContain("<key>LowPriorityIO</key>\n  <true/>");
    expect(plist).toContain("<key>Nice</key>\n  <integer>10</integer>");
    expect(plist).toContain("<string>/Library/Application Support/Outpost &amp; co</string>");
  });

  // Python's plistlib reads property lists as macOS does; without Python this part is skipped.
  it.runIf(python)("is a property list plistlib reads back, arguments in order", () => {
    const plist = renderLaunchdPlist({ ...spec, data: "/Library/Outpost & co" });
    const read = execFileSync(
      python as string,
      [
        "-c",
        "import json,plistlib,sys; print(json.dumps(plistlib.loads(sys.stdin.buffer.read())))",
      ],
      { input: plist, encoding: "utf8" },
    );
    const parsed = JSON.parse(read) as Record<string, unknown>;
    expect(parsed.ProgramArguments).toEqual([
      process.execPath,
      "--max-semi-space-size=1",
      "--v8-pool-size=1",
      "--liftoff-only",
      "--no-opt",
      spec.entry,
      "run",
      "--config",
      spec.config,
    ]);
    expect(parsed).toMatchObject({
      Label: "com.outpost.agent",
      RunAtLoad: true,
      KeepAlive: { SuccessfulExit: false },
      WorkingDirectory: "/Library/Outpost & co",
      ProcessType: "Background",
    });
  });
});

describe("the Windows service (WinSW)", () => {
  const windowsSpec: ServiceSpec = {
    node: "C:\\Program Files\\nodejs\\node.exe",
    entry: "C:\\Program Files\\Outpost\\outpost-agent.mjs",
    config: "C:\\ProgramData\\Outpost\\agent.toml",
    data: "C:\\ProgramData\\Outpost\\data",
    user: "outpost-agent",
  };

  it("starts automatically, restarts on failure, below normal priority, quoting paths", () => {
    const xml = renderWinswXml(windowsSpec);
    expect(xml).toContain("<startmode>Automatic</startmode>");
    expect(xml).toContain('<onfailure action="restart" delay="10 sec"/>');
    expect(xml).toContain("<priority>BelowNormal</priority>");
    expect(xml).toContain(
      "<arguments>--max-semi-space-size=1 --v8-pool-size=1 --liftoff-only --no-opt &quot;C:\\Program Files\\Outpost\\outpost-agent.mjs&quot; run --config C:\\ProgramData\\Outpost\\agent.toml</arguments>",
    );
  });

  it.runIf(python)("is well-formed XML", () => {
    const read = execFileSync(
      python as string,
      [
        "-c",
        "import sys,xml.etree.ElementTree as E; print(E.fromstring(sys.stdin.read()).find('executable').text)",
      ],
      { input: renderWinswXml(windowsSpec), encoding: "utf8" },
    );
    expect(read.trim()).toBe(windowsSpec.node);
  });
});
