// The simulator and linearizability checker, re-exported by @nomad/raft/testing.
export { Prng } from "./prng.js";
export * from "./linearizability/index.js";
export * from "./sim/index.js";
