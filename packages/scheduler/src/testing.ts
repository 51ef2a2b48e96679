export { Harness, type HarnessOptions } from "./testing/harness.js";
export { InMemoryState } from "./testing/state-store.js";
export { applyPlan } from "./testing/plan-apply.js";
export {
  mockEval,
  mockJob,
  mockNode,
  liveAllocs,
  type JobFixture,
  type NodeFixture,
} from "./testing/fixtures.js";
export { seededRandom, sequentialIDs } from "./testing/rng.js";
