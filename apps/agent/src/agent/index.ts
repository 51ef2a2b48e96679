export { agentCommand } from "./command.js";
export { runAgent, processIo, type AgentIo, type RunAgentOptions, type StartBackendFn } from "./run.js";
export {
  shutdownBackend,
  type AgentBackend,
  type ClientBackend,
  type LogStreamFrame,
  type LogStreamRequest,
  type ServerBackend,
} from "./backend.js";
export {
  startBackend,
  toClientConfig,
  toServerConfig,
  defaultFactories,
  type BackendFactories,
  type ClientStartConfig,
  type StartBackendOptions,
} from "./start-backend.js";
export {
  HclogLogger,
  GatedSink,
  LogLevelControl,
  formatLogLine,
  formatJsonLogLine,
  parseLogLevel,
  silentLogger,
  LOG_LEVELS,
  type Logger,
  type LogFields,
  type LogLevel,
} from "./logger.js";
export { agentAddresses, type AgentAddresses } from "./addresses.js";
export { configurationBlock, loadedFilesLine } from "./banner.js";
export { processSignals, type AgentSignal, type SignalSource } from "./signals.js";
export * from "./config/index.js";
