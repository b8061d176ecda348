import { type NetworkInterfaceInfo, networkInterfaces } from "node:os";

/** How often the watch looks, while it runs (only while the relay is out of reach). */
export const NETWORK_WATCH_INTERVAL_MS = 5_000;
/** The wall clock running this far ahead of the monotonic one between two looks means a sleep. */
const WAKE_THRESHOLD_MS = 10_000;

/** What the watch reads; injected in tests. */
export interface NetworkChangeSources {
  interfaces: () => NodeJS.Dict<NetworkInterfaceInfo[]>;
  /** Epoch ms; runs on while the machine sleeps. */
  wallNow: () => number;
  /** Stops while the machine sleeps (CLOCK_MONOTONIC on Linux, mach time on macOS). */
  monotonicNow: () => number;
}

const SYSTEM_SOURCES: NetworkChangeSources = {
  interfaces: networkInterfaces,
  wallNow: Date.now,
  monotonicNow: () => performance.now(),
};

/**
 * Tells when the device's network may have come back, so a connection waiting out its backoff
 * can try at once: the addresses of its network interfaces changed (a Wi-Fi joined, a cable
 * plugged in, a VPN up), or the machine woke from sleep. Node has no network-change event, so
 * while it runs it looks every {@link NETWORK_WATCH_INTERVAL_MS}: one `getifaddrs` call, a few
 * microseconds. Run it only while offline.
 */
export class NetworkChangeWatch {
  readonly #onChange: (reason: string) => void;
  readonly #sources: NetworkChangeSources;
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | undefined;
  #fingerprint = "";
  #wallAt = 0;
  #monotonicAt = 0;

  constructor(
    onChange: (reason: string) => void,
    options: { sources?: Partial<NetworkChangeSources>; intervalMs?: number } = {},
  ) {
    this.#onChange = onChange;
    this.#sources = { ...SYSTEM_SOURCES, ...options.sources };
    this.#intervalMs = options.intervalMs ?? NETWORK_WATCH_INTERVAL_MS;
  }

  /** Starts looking (the network as it is now is the baseline); a second start does nothing. */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#remember();
    this.#timer = setInterval(() => this.check(), this.#intervalMs);
    this.#timer.unref();
  }

  /** Stops looking. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Looks once: calls back if the interfaces changed or the machine slept since the last look. */
  check(): void {
    const previous = {
      fingerprint: this.#fingerprint,
      wall: this.#wallAt,
      mono: this.#monotonicAt,
    };
    this.#remember();
    const sleptMs = this.#wallAt - previous.wall - (this.#monotonicAt - previous.mono);
    if (this.#fingerprint !== previous.fingerprint) {
      this.#onChange("the network interfaces changed");
    } else if (sleptMs > WAKE_THRESHOLD_MS) {
      this.#onChange(`the machine woke after ${Math.round(sleptMs / 1_000)} s asleep`);
    }
  }

  #remember(): void {
    this.#fingerprint = fingerprintOf(this.#sources.interfaces());
    this.#wallAt = this.#sources.wallNow();
    this.#monotonicAt = this.#sources.monotonicNow();
  }
}

/** The device's external addresses, in a stable order: loopback does not count. */
function fingerprintOf(interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>): string {
  const addresses: string[] = [];
  for (const [name, infos] of Object.entries(interfaces)) {
    for (const info of infos ?? []) if (!info.internal) addresses.push(`${name} ${info.address}`);
  }
  return addresses.sort().join(",");
}
