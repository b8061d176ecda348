import {
  type MetricDescriptor,
  STANDARD_METRICS,
  type StandardMetricName,
  seededRandom,
} from "@outpost/shared-model";

/** The metrics a simulated laptop reports every tick (the ones that vary sample to sample). */
type SimulatedMetric = Extract<
  StandardMetricName,
  "cpu" | "memory" | "disk" | "netRx" | "netTx" | "temperature" | "battery" | "rtt"
>;

/** The simulated metrics' descriptors, for the day documents that hold them. */
export const SIMULATED_METRICS: Readonly<Record<SimulatedMetric, MetricDescriptor>> = {
  cpu: STANDARD_METRICS.cpu,
  memory: STANDARD_METRICS.memory,
  disk: STANDARD_METRICS.disk,
  netRx: STANDARD_METRICS.netRx,
  netTx: STANDARD_METRICS.netTx,
  temperature: STANDARD_METRICS.temperature,
  battery: STANDARD_METRICS.battery,
  rtt: STANDARD_METRICS.rtt,
};

/** One simulated tick: real-unit values for each {@link SimulatedMetric}. */
export type SimulatedValues = Record<SimulatedMetric, number>;

const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value));

/**
 * A laptop's day as bounded random walks: CPU mostly idle with bursts, memory drifting, the disk
 * filling slowly, bursty network, temperature trailing CPU, the battery discharging on the go
 * and charging at the desk, and round trips around a baseline with spikes.
 */
export function makeSimulatedDevice(seed: number): () => SimulatedValues {
  const random = seededRandom(seed);
  const noise = (amplitude: number) => (random() * 2 - 1) * amplitude;
  let idleCpu = 4;
  let burstTicksLeft = 0;
  let burstLevel = 0;
  let memory = 6_200;
  let memoryTarget = 6_200;
  let disk = 61.4;
  let netBurstTicksLeft = 0;
  let temperature = 42;
  let battery = 96;
  let charging = false;
  let rttBaseline = 34;

  return () => {
    if (burstTicksLeft === 0 && random() < 0.01) {
      burstTicksLeft = 3 + Math.floor(random() * 60);
      burstLevel = 35 + random() * 60;
    }
    idleCpu = clamp(idleCpu + noise(0.8), 0.5, 12);
    const cpu = burstTicksLeft > 0 ? clamp(burstLevel + noise(8), 0, 100) : idleCpu;
    if (burstTicksLeft > 0) burstTicksLeft -= 1;

    // Applications come and go: the working set drifts, and bursts allocate on top of it.
    memoryTarget = clamp(memoryTarget + noise(4), 4_000, 12_000);
    const pulled = memory + (memoryTarget + (burstTicksLeft > 0 ? 1_500 : 0) - memory) * 0.05;
    memory = clamp(pulled + noise(3), 3_500, 15_000);
    // Fills by about 1 % a day; a cleanup now and then frees some space.
    disk = clamp(disk + 0.00012 + (random() < 0.0005 ? -0.8 : 0), 5, 99);

    if (netBurstTicksLeft === 0 && random() < 0.02)
      netBurstTicksLeft = 1 + Math.floor(random() * 20);
    const bursting = netBurstTicksLeft > 0;
    if (bursting) netBurstTicksLeft -= 1;
    const netRx = bursting ? 200 + random() * 4_000 : random() * random() * 12;
    const netTx = bursting ? 20 + random() * 600 : random() * random() * 4;

    // Heats towards a CPU-dependent target with a lag of a few ticks.
    temperature += (38 + cpu * 0.45 - temperature) * 0.25 + noise(0.3);

    if (battery <= 20) charging = true;
    if (battery >= 99) charging = false;
    battery = clamp(battery + (charging ? 0.045 : -0.012 - cpu * 0.0002), 0, 100);

    rttBaseline = clamp(rttBaseline + noise(0.3), 20, 60);
    const rtt = random() < 0.01 ? rttBaseline + 100 + random() * 400 : rttBaseline + random() * 6;

    return { cpu, memory, disk, netRx, netTx, temperature, battery, rtt };
  };
}
