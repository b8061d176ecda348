/**
 * V8 flags the agent runs with (the bundle's `#!` line and every service unit pass them).
 * Measured with bench/agent-footprint: one background compiler thread instead of one per core
 * removes a start-up peak of about 20 MB (several threads compiling Automerge's WebAssembly and
 * hot code at once), and a 1 MB young generation instead of 16 MB keeps the steady heap small;
 * neither costs measurable CPU at one sample every ten seconds. `--liftoff-only` keeps Automerge's
 * WebAssembly in V8's baseline compiler: tiering its hot functions up to TurboFan cost 13-16 MB
 * of peak resident memory (89 MiB against 102-105 MiB, an offline agent after 35 s; the agent's
 * steady work is one small change every ten seconds, where the optimized code saves nothing
 * measurable). The price is on large documents: loading one of millions of operations is slower.
 * `--no-opt` does the same for the agent's JavaScript (no TurboFan): 2.5 MiB less resident, and
 * the same CPU over two minutes offline (0.200 % both): its code runs once per tick.
 */
export const AGENT_NODE_FLAGS = [
  "--max-semi-space-size=1",
  "--v8-pool-size=1",
  "--liftoff-only",
  "--no-opt",
] as const;
