import { readFileSync } from "node:fs";

/** The agent's version, read once from its package.json so there is one source of truth. */
export const agentVersion: string = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
).version;

/** `nomad version` output, laid out as Nomad prints it. */
export function versionText(): string {
  return `Nomad v${agentVersion}\n`;
}
