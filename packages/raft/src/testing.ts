// @nomad/raft/testing: in-memory twins of every seam and the seeded simulator.
export {};
export * from "./testing/index.js";
