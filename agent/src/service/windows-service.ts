import { AGENT_NODE_FLAGS } from "../runtime/node-flags.js";
import { escapeXml } from "./launchd-plist.js";
import { SERVICE_NAME, type ServiceSpec } from "./service-spec.js";

/** The WinSW wrapper's file names, next to the bundle: WinSW reads `<exe name>.xml`. */
export const WINSW_EXE = `${SERVICE_NAME}-service.exe`;
export const WINSW_XML = `${SERVICE_NAME}-service.xml`;
/** Where an admin gets the wrapper (MIT licensed, one executable, no installer). */
export const WINSW_URL = "https://github.com/winsw/winsw/releases";

/**
 * The Windows service, as a WinSW definition. Node cannot answer the service control manager
 * itself, so WinSW (a small, widely used service wrapper) runs it: automatic start, restart on
 * failure, below-normal priority, a minute to stop (the agent flushes its documents on Ctrl+C).
 */
export function renderWinswXml(spec: ServiceSpec): string {
  const args = [...AGENT_NODE_FLAGS, spec.entry, "run", "--config", spec.config]
    .map(quoteWindows)
    .join(" ");
  return `<!-- Written by \`outpost-agent service install\`; \`service uninstall\` removes it. -->
<service>
  <id>${SERVICE_NAME}</id>
  <name>Outpost agent</name>
  <description>Outpost agent: device telemetry, inventory and non-intrusive maintenance</description>
  <executable>${escapeXml(spec.node)}</executable>
  <arguments>${escapeXml(args)}</arguments>
  <workingdirectory>${escapeXml(spec.data)}</workingdirectory>
  <startmode>Automatic</startmode>
  <delayedAutoStart>true</delayedAutoStart>
  <priority>BelowNormal</priority>
  <stoptimeout>60 sec</stoptimeout>
  <onfailure action="restart" delay="10 sec"/>
  <resetfailure>1 hour</resetfailure>
  <log mode="roll-by-size">
    <sizeThreshold>10240</sizeThreshold>
    <keepFiles>5</keepFiles>
  </log>
</service>
`;
}

/** An argument quoted for the Windows command line (CommandLineToArgvW rules). */
function quoteWindows(arg: string): string {
  if (arg !== "" && !/[\s"]/.test(arg)) return arg;
  return `"${arg.replace(/(\\*)"/g, '$1$1\\"').replace(/(\\+)$/, "$1$1")}"`;
}
