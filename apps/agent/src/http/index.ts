export { HttpApi, buildRouter, type HttpApiOptions } from "./server.js";
export { HttpMetrics } from "./metrics.js";
export { HttpError, toHttpError } from "./errors.js";
export { agentInfoFromConfig, type AgentInfo } from "./agent-info.js";
export { DEFAULT_MAX_BODY_BYTES } from "./body.js";
export { Router, WRITE, type Method } from "./router.js";
export type { Reply, RouteContext, RouteHandler } from "./context.js";
