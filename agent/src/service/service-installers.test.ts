/**
 * What `service install|uninstall|status` does to a machine, on each platform, against a host
 * that records it (no test installs a service on the machine running it).
 */
import { describe, expect, it } from "vitest";
import { launchdService } from "./launchd-service.js";
import { ServiceError } from "./service-manager.js";
import type { ServiceSpec } from "./service-spec.js";
import { systemdService } from "./systemd-service.js";
import { POLKIT_RULE_PATH, SYSTEMD_UNIT_PATH } from "./systemd-unit.js";
import { FakeServiceHost } from "./testing/fake-service-host.js";
import { winswService } from "./winsw-service.js";

const spec: ServiceSpec = {
  node: "/usr/bin/node",
  entry: "/opt/outpost/outpost-agent.mjs",
  config: "/etc/outpost-agent/agent.toml",
  data: "/var/lib/outpost-agent",
  user: "outpost-agent",
};

describe("systemd (Linux)", () => {
  const systemdMachine = (options: ConstructorParameters<typeof FakeServiceHost>[1] = {}) =>
    new FakeServiceHost("linux", {
      existing: ["/run/systemd/system", "/etc/polkit-1/rules.d"],
      ...options,
    });

  it("creates the user, hands it the data folder and config, writes unit and polkit rule, starts it", async () => {
    const host = systemdMachine({ answers: { "id -u outpost-agent": { code: 1 } } });
    const said = await systemdService(host).install(spec);
    expect(host.commands).toEqual([
      "id -u outpost-agent",
      "useradd --system --user-group --home-dir /var/lib/outpost-agent --no-create-home --shell /usr/sbin/nologin outpost-agent",
      "systemctl daemon-reload",
      "systemctl enable --now outpost-agent",
    ]);
    expect(host.owners.get(spec.data)).toBe("outpost-agent");
    expect(host.owners.get(spec.config)).toBe("outpost-agent");
    // The config holds the enrollment secret.
    expect(host.modes.get(spec.config)).toBe(0o600);
    expect(host.files.get(SYSTEMD_UNIT_PATH)?.text).toContain("ExecStart=/usr/bin/node");
    expect(host.files.get(POLKIT_RULE_PATH)?.mode).toBe(0o644);
    expect(said.at(-1)).toBe(
      "enabled and started outpost-agent; see: systemctl status outpost-agent",
    );
  });

  it("keeps an existing user, and says what it cannot do without polkit", async () => {
    const host = new FakeServiceHost("linux", { existing: ["/run/systemd/system"] });
    const said = await systemdService(host).install(spec);
    expect(host.commands).not.toContainEqual(expect.stringMatching(/^useradd/));
    expect(host.files.has(POLKIT_RULE_PATH)).toBe(false);
    expect(said).toContainEqual(expect.stringContaining("system.reboot commands will be refused"));
  });

  it("refuses without root, and on a machine systemd does not run", async () => {
    await expect(systemdService(systemdMachine({ admin: false })).install(spec)).rejects.toThrow(
      "Installing a system service needs administrator rights: run it as root (sudo)",
    );
    await expect(systemdService(new FakeServiceHost("linux")).install(spec)).rejects.toThrow(
      /does not run systemd \(no \/run\/systemd\/system\); run the agent under your own supervisor instead: \/usr\/bin\/node/,
    );
  });

  it("reports a failing systemctl with what it printed", async () => {
    const host = systemdMachine({
      answers: { "systemctl enable --now outpost-agent": { code: 1, stderr: "Unit is masked." } },
    });
    await expect(systemdService(host).install(spec)).rejects.toThrow(
      new ServiceError("systemctl enable --now outpost-agent failed: Unit is masked."),
    );
  });

  it("uninstalls, keeping the data unless asked, then with --purge deletes data and user", async () => {
    const host = systemdMachine();
    await systemdService(host).install(spec);
    host.commands.length = 0;
    const kept = await systemdService(host).uninstall({});
    expect(host.commands).toEqual([
      "systemctl disable --now outpost-agent",
      "systemctl daemon-reload",
    ]);
    expect(host.files.has(SYSTEMD_UNIT_PATH)).toBe(false);
    expect(host.files.has(POLKIT_RULE_PATH)).toBe(false);
    expect(host.directories.has(spec.data)).toBe(true);
    expect(kept.at(-1)).toBe("kept the data folder (pass --purge to delete it)");

    await systemdService(host).install(spec);
    host.commands.length = 0;
    await systemdService(host).uninstall({ purgeData: spec.data });
    expect(host.directories.has(spec.data)).toBe(false);
    expect(host.commands).toContain("userdel outpost-agent");

    // Installed under another user (--user), that user is the one removed.
    await systemdService(host).install({ ...spec, user: "fieldops" });
    host.commands.length = 0;
    await systemdService(host).uninstall({ purgeData: spec.data });
    expect(host.commands).toContain("userdel fieldops");
  });

  it("tells the status: installed and active, or not installed", async () => {
    const host = systemdMachine({
      answers: {
        "systemctl is-enabled outpost-agent": { stdout: "enabled\n" },
        "systemctl is-active outpost-agent": { stdout: "active\n" },
      },
    });
    expect(await systemdService(host).status()).toEqual(["outpost-agent: not installed"]);
    await systemdService(host).install(spec);
    expect((await systemdService(host).status())[0]).toBe(
      `outpost-agent: active (enabled), unit ${SYSTEMD_UNIT_PATH}`,
    );
  });
});

describe("launchd (macOS)", () => {
  it("writes the daemon, bootstraps and enables it; reinstalling boots out the old one first", async () => {
    const host = new FakeServiceHost("darwin");
    await launchdService(host).install(spec);
    expect(host.files.has("/Library/LaunchDaemons/com.outpost.agent.plist")).toBe(true);
    expect(host.commands).toEqual([
      "launchctl bootstrap system /Library/LaunchDaemons/com.outpost.agent.plist",
      "launchctl enable system/com.outpost.agent",
    ]);
    host.commands.length = 0;
    await launchdService(host).install(spec);
    expect(host.commands[0]).toBe("launchctl bootout system/com.outpost.agent");
  });

  it("reads the state from launchctl print, and uninstalls", async () => {
    const host = new FakeServiceHost("darwin", {
      answers: { "launchctl print system/com.outpost.agent": { stdout: "\tstate = running\n" } },
    });
    await launchdService(host).install(spec);
    expect((await launchdService(host).status())[0]).toBe(
      "com.outpost.agent: running, /Library/LaunchDaemons/com.outpost.agent.plist",
    );
    await launchdService(host).uninstall({ purgeData: spec.data });
    expect(host.files.size).toBe(0);
    expect(host.removed).toContain(spec.data);
  });
});

describe("WinSW (Windows)", () => {
  const windowsSpec: ServiceSpec = {
    ...spec,
    node: "C:\\nodejs\\node.exe",
    entry: "C:\\Outpost\\outpost-agent.mjs",
    data: "C:\\ProgramData\\Outpost",
  };

  it("says where to get WinSW when it is not next to the bundle", async () => {
    const host = new FakeServiceHost("win32");
    await expect(winswService(host, "C:\\Outpost").install(windowsSpec)).rejects.toThrow(
      /needs WinSW: download WinSW-x64\.exe from https:\/\/github\.com\/winsw\/winsw\/releases, save it as C:\\Outpost\\outpost-agent-service\.exe/,
    );
  });

  it("writes its definition next to the wrapper, installs and starts it", async () => {
    const wrapper = "C:\\Outpost\\outpost-agent-service.exe";
    const host = new FakeServiceHost("win32", {
      existing: [wrapper],
      answers: { [`${wrapper} status`]: { stdout: "NonExistent" } },
    });
    await winswService(host, "C:\\Outpost").install(windowsSpec);
    expect(host.files.has("C:\\Outpost\\outpost-agent-service.xml")).toBe(true);
    expect(host.commands).toEqual([`${wrapper} status`, `${wrapper} install`, `${wrapper} start`]);
  });
});
