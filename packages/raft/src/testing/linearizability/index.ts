export type { CheckResult, History, Operation } from "./history.js";
export type { Model } from "./model.js";
export { kvModel, type KvInput, type KvOutput, type KvState } from "./kv-model.js";
export { checkLinearizability, type CheckOptions } from "./check.js";
