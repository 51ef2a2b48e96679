// The startup block Nomad prints (reference/NOMAD.md §1.5): keys sorted, right-aligned to 18
// columns after the 4-space info prefix.

export const INFO_PREFIX = "    ";
export const OUTPUT_PREFIX = "==> ";
const KEY_WIDTH = 18;

export interface BannerFacts {
  readonly httpAdvertise: string;
  readonly httpBind: readonly string[];
  /** Server only. */
  readonly server?: {
    readonly rpcAdvertise: string;
    readonly serfAdvertise: string;
    readonly rpcBind: string;
    readonly serfBind: string;
    readonly nodeID: string;
  };
  readonly client: boolean;
  readonly logLevel: string;
  readonly region: string;
  readonly datacenter: string;
  readonly version: string;
}

/** `==> Nomad agent configuration:` through the trailing empty line before `started!`. */
export function configurationBlock(facts: BannerFacts): string {
  const info: Record<string, string> = {
    "Advertise Addrs":
      `HTTP: ${facts.httpAdvertise}` +
      (facts.server === undefined
        ? ""
        : `; RPC: ${facts.server.rpcAdvertise}; Serf: ${facts.server.serfAdvertise}`),
    "Bind Addrs":
      `HTTP: [${facts.httpBind.join(" ")}]` +
      (facts.server === undefined ? "" : `; RPC: ${facts.server.rpcBind}; Serf: ${facts.server.serfBind}`),
    Client: String(facts.client),
    "Log Level": facts.logLevel,
    Region: `${facts.region} (DC: ${facts.datacenter})`,
    Server: String(facts.server !== undefined),
    Version: facts.version,
  };
  if (facts.server !== undefined) info["Node Id"] = facts.server.nodeID;
  const lines = Object.keys(info)
    .sort()
    .map((k) => `${INFO_PREFIX}${k.padStart(KEY_WIDTH)}: ${info[k] ?? ""}`);
  return `${OUTPUT_PREFIX}Nomad agent configuration:\n\n${lines.join("\n")}\n\n`;
}

export function loadedFilesLine(files: readonly string[]): string {
  return files.length === 0
    ? `${OUTPUT_PREFIX}No configuration files loaded\n`
    : `${OUTPUT_PREFIX}Loaded configuration from ${files.join(", ")}\n`;
}

export const STARTED_LINE = `${OUTPUT_PREFIX}Nomad agent started! Log data will stream in below:\n\n`;
