export { ConfigError } from "./errors.js";
export { devConfig } from "./dev.js";
export { flagsToConfig, type AgentFlags } from "./flags.js";
export { loadConfigFile, loadConfigPaths, parseConfigText, type LoadedFiles } from "./load.js";
export { mergeConfigs } from "./merge.js";
export {
  agentDirs,
  loadAgentConfig,
  rawExecEnabled,
  resolveConfig,
  validateAgentConfig,
  type LoadedAgentConfig,
  type ResolveOptions,
} from "./resolve.js";
export { AgentConfigSchema, durationMs, type AgentConfig, type PartialAgentConfig } from "./schema.js";
