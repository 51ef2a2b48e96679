export { registerApiCommands } from "./register.js";
export { processDeps, type CliDeps } from "./deps.js";
