export { ApiConnectionError, ApiDecodeError, ApiError, ApiStreamError } from "./errors.js";
export { JsonObjectStreamDecoder } from "./frame-decoder.js";
export { DEFAULT_ADDRESS, HttpClient, normalizeAddress, parseMeta } from "./http-client.js";
export { JoinError, NomadApi } from "./nomad-api.js";
export type {
  AgentJoinResponse,
  AgentSelf,
  DeregisterOptions,
  DrainOptions,
  JobVersionsResult,
  LogsOptions,
  RegisterOptions,
  StreamFrame,
} from "./responses.js";
export type { NomadApiOptions, QueryMeta, QueryOptions, QueryResult, WriteOptions } from "./types.js";
