// In-memory twins for tests: the seeded simulator (virtual clock, loss, delay, partitions,
// crashes) and a seeded PRNG.
export { SimCluster } from "./testing/sim.js";
export type { SimEvent, SimOptions } from "./testing/sim.js";
export { SeededRandom } from "./core/prng.js";
