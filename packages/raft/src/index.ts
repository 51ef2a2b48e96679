// Public API of @nomad/raft. Internals (the core's helpers, codecs) are not exported.
export type * from "./core/types.js";
export type * from "./core/messages.js";
export type * from "./core/api.js";
export type * from "./storage/types.js";
export type * from "./transport/types.js";
export { RaftCore } from "./core/raft-core.js";
