export { MemoryGcState, type ApplyResult } from "./testing/memory-state.js";
export { fixedClock, manualClock, type ManualClock } from "./testing/clocks.js";
