export { buildCli } from "./cli.js";
export { agentVersion, versionText } from "./version.js";
