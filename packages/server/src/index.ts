// Public API of @nomad/server: the composed server, its config, and the parts a test or another
// composition may want (state store, FSM, leader duties, endpoints).
export { NomadServer } from "./server.js";
export {
  parseServerConfig,
  serverConfigSchema,
  ServerConfigError,
  type ServerConfig,
  type ServerConfigInput,
} from "./config.js";
export { silentLogger, type Logger, type LogFields } from "./logger.js";
export { serverParts, serverTags, type ServerParts } from "./cluster/server-parts.js";
export { reconcileActions, bootstrapServers, type ReconcileAction } from "./cluster/reconcile.js";
