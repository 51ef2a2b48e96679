// The task-running half of the client: drivers, alloc dir, logs, task and alloc runners.
// Re-exported by src/index.ts.

export * from "./drivers/index.js";
export * from "./allocdir/index.js";
export * from "./logs/index.js";
export * from "./taskrunner/index.js";
export * from "./allocrunner/index.js";
