import type { ServiceHost } from "./service-host.js";
import { requireAdmin, runChecked, ServiceError, type ServiceManager } from "./service-manager.js";
import { SERVICE_NAME, SERVICE_USER, type ServiceSpec } from "./service-spec.js";
import {
  POLKIT_RULE_PATH,
  renderPolkitRule,
  renderSystemdUnit,
  SYSTEMD_UNIT_PATH,
} from "./systemd-unit.js";

/** The folder systemd creates when it is the running init system. */
const SYSTEMD_RUNNING = "/run/systemd/system";
const POLKIT_RULES = "/etc/polkit-1/rules.d";

/** The agent as a systemd service (Linux). */
export function systemdService(host: ServiceHost): ServiceManager {
  return {
    async install(spec: ServiceSpec) {
      requireAdmin(host, "Installing");
      if (!(await host.exists(SYSTEMD_RUNNING))) {
        throw new ServiceError(
          `this machine does not run systemd (no ${SYSTEMD_RUNNING}); run the agent under your own supervisor instead: ${spec.node} ${spec.entry} run --config ${spec.config}`,
        );
      }
      const done: string[] = [];
      if ((await host.run("id", ["-u", spec.user])).code !== 0) {
        await runChecked(host, "useradd", [
          "--system",
          "--user-group",
          "--home-dir",
          spec.data,
          "--no-create-home",
          "--shell",
          "/usr/sbin/nologin",
          spec.user,
        ]);
        done.push(`created the system user ${spec.user}`);
      }
      await host.makeDirectory(spec.data, 0o750);
      await host.giveTo(spec.data, spec.user);
      // The config holds the enrollment secret: readable by the agent's user and root only.
      await host.giveTo(spec.config, spec.user, 0o600);
      done.push(`data folder ${spec.data} and config ${spec.config} belong to ${spec.user}`);
      await host.writeText(SYSTEMD_UNIT_PATH, renderSystemdUnit(spec), 0o644);
      done.push(`wrote ${SYSTEMD_UNIT_PATH}`);
      if (await host.exists(POLKIT_RULES)) {
        await host.writeText(POLKIT_RULE_PATH, renderPolkitRule(spec), 0o644);
        done.push(`wrote ${POLKIT_RULE_PATH} (service.restart and system.reboot commands)`);
      } else {
        done.push(
          `no ${POLKIT_RULES}: service.restart and system.reboot commands will be refused (install polkit to allow them)`,
        );
      }
      await runChecked(host, "systemctl", ["daemon-reload"]);
      await runChecked(host, "systemctl", ["enable", "--now", SERVICE_NAME]);
      done.push(`enabled and started ${SERVICE_NAME}; see: systemctl status ${SERVICE_NAME}`);
      return done;
    },

    async uninstall({ purgeData }) {
      requireAdmin(host, "Removing");
      const done: string[] = [];
      // The user the unit runs as (install's --user), to remove with the data.
      const user =
        (await host.readText(SYSTEMD_UNIT_PATH))?.match(/^User=(.+)$/m)?.[1]?.trim() ??
        SERVICE_USER;
      if (await host.exists(SYSTEMD_UNIT_PATH)) {
        // Already stopped or never loaded is fine: the goal is that it is gone.
        await host.run("systemctl", ["disable", "--now", SERVICE_NAME]);
        await host.remove(SYSTEMD_UNIT_PATH);
        done.push(`stopped ${SERVICE_NAME} and removed ${SYSTEMD_UNIT_PATH}`);
      } else {
        done.push(`${SERVICE_NAME} was not installed`);
      }
      if (await host.exists(POLKIT_RULE_PATH)) {
        await host.remove(POLKIT_RULE_PATH);
        done.push(`removed ${POLKIT_RULE_PATH}`);
      }
      await host.run("systemctl", ["daemon-reload"]);
      if (purgeData !== undefined) {
        await host.remove(purgeData);
        done.push(`deleted the data folder ${purgeData}`);
        if ((await host.run("id", ["-u", user])).code === 0) {
          await host.run("userdel", [user]);
          done.push(`removed the system user ${user}`);
        }
      } else {
        done.push("kept the data folder (pass --purge to delete it)");
      }
      return done;
    },

    async status() {
      if (!(await host.exists(SYSTEMD_UNIT_PATH))) return [`${SERVICE_NAME}: not installed`];
      const enabled = (await host.run("systemctl", ["is-enabled", SERVICE_NAME])).stdout.trim();
      const active = (await host.run("systemctl", ["is-active", SERVICE_NAME])).stdout.trim();
      return [
        `${SERVICE_NAME}: ${active || "unknown"} (${enabled || "unknown"}), unit ${SYSTEMD_UNIT_PATH}`,
        `log: journalctl -u ${SERVICE_NAME}`,
      ];
    },
  };
}
