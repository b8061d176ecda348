import { LAUNCHD_LABEL, type ServiceSpec, serviceCommand } from "./service-spec.js";

/** Where the daemon's definition is installed. */
export const LAUNCHD_PLIST_PATH = `/Library/LaunchDaemons/${LAUNCHD_LABEL}.plist`;
/** Where its log goes (launchd has no journal for daemons). */
export const LAUNCHD_LOG_PATH = "/Library/Logs/outpost-agent.log";

/**
 * The launchd daemon: started at boot, restarted if it exits with an error, at nice 10 with low
 * I/O priority and the Background process type (the scheduler's lowest class).
 */
export function renderLaunchdPlist(spec: ServiceSpec): string {
  const args = serviceCommand(spec)
    .map((arg) => `    <string>${escapeXml(arg)}</string>`)
    .join("\n");
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<!-- Written by \`outpost-agent service install\`; \`service uninstall\` removes it. -->
<plist version="1.0">
<dict>
  <key>Label</key>
  <string>${LAUNCHD_LABEL}</string>
  <key>ProgramArguments</key>
  <array>
${args}
  </array>
  <key>WorkingDirectory</key>
  <string>${escapeXml(spec.data)}</string>
  <key>RunAtLoad</key>
  <true/>
  <key>KeepAlive</key>
  <dict>
    <key>SuccessfulExit</key>
    <false/>
  </dict>
  <key>ExitTimeOut</key>
  <integer>60</integer>
  <key>Nice</key>
  <integer>10</integer>
  <key>LowPriorityIO</key>
  <true/>
  <key>ProcessType</key>
  <string>Background</string>
  <key>StandardErrorPath</key>
  <string>${LAUNCHD_LOG_PATH}</string>
</dict>
</plist>
`;
}

/** Text as XML character data. */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}
