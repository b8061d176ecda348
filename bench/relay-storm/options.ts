import type { ServerKind } from "./messages.js";

/** Every server a run can storm, in the order they run. */
export const SERVER_KINDS: readonly ServerKind[] = ["outpost", "reference", "baseline"];

/** Command-line options of `npm run bench:relay-storm -- [options]`. */
export interface RelayStormArgs {
  agents: number;
  agentProcesses?: number;
  ticks?: number;
  timeoutS?: number;
  maxConnectionsPerToken?: number;
  maxLoadedDocuments?: number;
  maxLoadedOps?: number;
  /** Agents connecting per second; all at once unless given. */
  connectsPerSecond?: number;
  /** Minutes of steady state measured after our relay's storm (none unless given). */
  steadyMinutes?: number;
  /** Which servers to storm; all three unless given. */
  servers?: ServerKind[];
}

/** A missing or bad command-line value: says which option, what it got and what it takes. */
export class InvalidArgument extends Error {
  override name = "InvalidArgument";

  constructor(option: string, received: string | undefined, expected: string) {
    super(
      received === undefined
        ? `${option} needs a value: ${expected}`
        : `${option}: expected ${expected}, received ${JSON.stringify(received)}`,
    );
  }
}

/** An option the benchmark does not know. */
export class UnknownOption extends Error {
  override name = "UnknownOption";

  constructor(option: string, known: readonly string[]) {
    super(`unknown option ${JSON.stringify(option)}; the options are ${known.join(", ")}`);
  }
}

/** The usage line shown with an {@link InvalidArgument}. */
export const USAGE =
  "usage: npm run bench:relay-storm -- [--agents N] [--agent-processes N] [--ticks N] [--timeout-s N] [--max-connections-per-token N] [--max-loaded-documents N] [--max-loaded-ops N] [--steady-minutes N] [--connects-per-second N] [--servers outpost,reference,baseline]";

const INTEGER_OPTIONS = {
  "--agents": { key: "agents", max: 100_000 },
  "--agent-processes": { key: "agentProcesses", max: 64 },
  "--ticks": { key: "ticks", max: 8_640 },
  "--timeout-s": { key: "timeoutS", max: 86_400 },
  "--max-connections-per-token": { key: "maxConnectionsPerToken", max: 1_000_000 },
  "--max-loaded-documents": { key: "maxLoadedDocuments", max: 1_000_000 },
  "--max-loaded-ops": { key: "maxLoadedOps", max: 1_000_000_000 },
  "--steady-minutes": { key: "steadyMinutes", max: 1_440 },
  "--connects-per-second": { key: "connectsPerSecond", max: 100_000 },
} as const;

/** Parses `--name N` and `--name=N`; every value is a whole number from 1 up. */
export function parseRelayStormArgs(argv: readonly string[]): RelayStormArgs {
  const parsed: RelayStormArgs = { agents: 200 };
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index] as string;
    const [name, inline] = argument.includes("=")
      ? [argument.slice(0, argument.indexOf("=")), argument.slice(argument.indexOf("=") + 1)]
      : [argument, undefined];
    if (name === "--servers") {
      parsed.servers = parseServers(inline ?? argv[++index]);
      continue;
    }
    if (!Object.hasOwn(INTEGER_OPTIONS, name)) {
      throw new UnknownOption(name, [...Object.keys(INTEGER_OPTIONS), "--servers"]);
    }
    const option = INTEGER_OPTIONS[name as keyof typeof INTEGER_OPTIONS];
    const value = inline ?? argv[++index];
    const expected = `a whole number from 1 to ${option.max}`;
    if (value === undefined) throw new InvalidArgument(name, undefined, expected);
    const number = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!(number >= 1 && number <= option.max)) throw new InvalidArgument(name, value, expected);
    parsed[option.key] = number;
  }
  return parsed;
}

function parseServers(value: string | undefined): ServerKind[] {
  const expected = `a comma-separated list of ${SERVER_KINDS.join(", ")}`;
  if (value === undefined) throw new InvalidArgument("--servers", undefined, expected);
  const names = value.split(",");
  const servers = SERVER_KINDS.filter((kind) => names.includes(kind));
  if (servers.length === 0 || servers.length !== new Set(names).size) {
    throw new InvalidArgument("--servers", value, expected);
  }
  return servers;
}
