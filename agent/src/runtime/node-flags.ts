/**
 * V8 flags the agent runs with (the bundle's `#!` line and every service unit pass them).
 * Measured with bench/agent-footprint: one background compiler thread instead of one per core
 * removes a start-up peak of about 20 MB (several threads compiling Automerge's WebAssembly and
 * hot code at once), and a 1 MB young generation instead of 16 MB keeps the steady heap small;
 * neither costs measurable CPU at one sample every ten seconds.
 */
export const AGENT_NODE_FLAGS = ["--max-semi-space-size=1", "--v8-pool-size=1"] as const;
