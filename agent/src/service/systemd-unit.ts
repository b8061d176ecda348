import { SERVICE_NAME, type ServiceSpec, serviceCommand } from "./service-spec.js";

/** Where the unit and the polkit rule are installed. */
export const SYSTEMD_UNIT_PATH = `/etc/systemd/system/${SERVICE_NAME}.service`;
export const POLKIT_RULE_PATH = `/etc/polkit-1/rules.d/50-${SERVICE_NAME}.rules`;

/**
 * The systemd unit: a dedicated user, nice and idle I/O, restart on failure, and a sandbox that
 * lets the agent write only its data folder. A command the agent runs inherits all of it, so
 * maintenance scripts cannot write the system either; restarting services and rebooting go
 * through polkit ({@link renderPolkitRule}), not through privileges the agent holds.
 */
export function renderSystemdUnit(spec: ServiceSpec): string {
  return `# Written by \`outpost-agent service install\`; \`service uninstall\` removes it.
[Unit]
Description=Outpost agent: device telemetry, inventory and non-intrusive maintenance
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
User=${spec.user}
Group=${spec.user}
ExecStart=${serviceCommand(spec).map(quoteSystemd).join(" ")}
# SIGTERM flushes every document to disk before the agent exits.
KillSignal=SIGTERM
TimeoutStopSec=60
Restart=on-failure
RestartSec=5s
# Never in the way of the person using the machine.
Nice=10
IOSchedulingClass=idle
# Writes only its data folder; sees no home folders; gains no privileges.
NoNewPrivileges=yes
ProtectSystem=strict
ReadWritePaths=${quoteSystemd(spec.data)}
ProtectHome=yes
PrivateTmp=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
RestrictSUIDSGID=yes
RestrictRealtime=yes
RestrictNamespaces=yes
LockPersonality=yes
SystemCallArchitectures=native
UMask=0077

[Install]
WantedBy=multi-user.target
`;
}

/**
 * The polkit rule that lets the service's user restart units and reboot, which the
 * `service.restart` and `system.reboot` command kinds need, and nothing else: systemd names the
 * verb of a unit operation (`restart`), so starting, stopping or masking units stays refused.
 */
export function renderPolkitRule(spec: Pick<ServiceSpec, "user">): string {
  return `// Written by \`outpost-agent service install\`: lets the Outpost agent restart services and
// reboot when an admin's command asks it to. \`service uninstall\` removes it.
polkit.addRule(function (action, subject) {
  if (subject.user !== ${JSON.stringify(spec.user)}) return polkit.Result.NOT_HANDLED;
  if (action.id === "org.freedesktop.systemd1.manage-units" && action.lookup("verb") === "restart") {
    return polkit.Result.YES;
  }
  if (action.id.indexOf("org.freedesktop.login1.reboot") === 0) return polkit.Result.YES;
  return polkit.Result.NOT_HANDLED;
});
`;
}

/** A word of a unit's command line or path, quoted as systemd reads it. */
function quoteSystemd(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `"${word.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}
