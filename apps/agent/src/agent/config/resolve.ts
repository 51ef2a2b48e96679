// Files, then flags, over Nomad's defaults (or the dev profile), validated as Nomad's
// isValidConfig does; the result is what the agent runs with.
import { hostname } from "node:os";
import { isAbsolute, join } from "node:path";
import { LOG_LEVELS, parseLogLevel } from "../logger.js";
import { devConfig } from "./dev.js";
import { ConfigError, describeIssue } from "./errors.js";
import { flagsToConfig, type AgentFlags } from "./flags.js";
import { loadConfigPaths } from "./load.js";
import { mergeConfigs } from "./merge.js";
import { AgentConfigSchema, type AgentConfig, type PartialAgentConfig } from "./schema.js";

export interface LoadedAgentConfig {
  readonly config: AgentConfig;
  readonly dev: boolean;
  /** Files read, in merge order: `==> Loaded configuration from ...`. */
  readonly files: string[];
  /** Printed as `==> WARNING: ...` on start (e.g. bootstrap mode). */
  readonly warnings: string[];
}

export interface ResolveOptions {
  /** Injected for tests; Nomad names a node after its host. */
  readonly hostname?: () => string;
}

/** Reads every `-config` path, merges them and the flags, and validates the whole. Throws ConfigError. */
export async function loadAgentConfig(
  flags: AgentFlags,
  options: ResolveOptions = {},
): Promise<LoadedAgentConfig> {
  const flagPartial = flagsToConfig(flags);
  const { files, partials } = await loadConfigPaths(flags.config ?? []);
  const dev = flags.dev === true;
  const config = resolveConfig([...(dev ? [devConfig()] : []), ...partials, flagPartial], options);
  const warnings = validateAgentConfig(config, {
    dev,
    bootstrapExpectFlag: flagPartial["server"] !== undefined && flags.bootstrapExpect !== undefined,
  });
  return { config, dev, files, warnings };
}

/** Merges partial configs in order over the schema defaults and fills derived values. */
export function resolveConfig(
  partials: readonly PartialAgentConfig[],
  options: ResolveOptions = {},
): AgentConfig {
  const merged = mergeConfigs(...partials);
  const r = AgentConfigSchema.safeParse(merged);
  if (!r.success) {
    const first = r.error.issues[0];
    const { key, detail } = first === undefined ? { key: "", detail: "invalid" } : describeIssue(first);
    throw new ConfigError(
      `Invalid configuration: ${key === "" ? detail : `${key}: ${detail}`}`,
      undefined,
      key,
    );
  }
  const config = r.data;
  const level = parseLogLevel(config.log_level);
  if (level === undefined) {
    throw new ConfigError(
      `Invalid log level: ${config.log_level}. Valid log levels are: [${LOG_LEVELS.join(" ")}]`,
      undefined,
      "log_level",
    );
  }
  config.log_level = level;
  if (config.name === undefined || config.name === "") config.name = (options.hostname ?? hostname)();
  if (config.server.raft_multiplier === 0) config.server.raft_multiplier = 1;

  // Deprecated join keys feed server_join, as Nomad does.
  const sj = config.server.server_join;
  sj.start_join = [...sj.start_join, ...(config.server.start_join ?? []), ...(config.start_join ?? [])];
  sj.retry_join = [...sj.retry_join, ...(config.server.retry_join ?? []), ...(config.retry_join ?? [])];
  const legacyInterval = config.server.retry_interval ?? config.retry_interval;
  if (legacyInterval !== undefined) sj.retry_interval = legacyInterval;
  const legacyMax = config.server.retry_max ?? config.retry_max;
  if (legacyMax !== undefined) sj.retry_max = legacyMax;
  return config;
}

/** Nomad's isValidConfig: throws ConfigError for a config it refuses, returns warnings otherwise. */
export function validateAgentConfig(
  config: AgentConfig,
  context: { dev: boolean; bootstrapExpectFlag?: boolean },
): string[] {
  const warnings: string[] = [];
  if (!config.server.enabled && !config.client.enabled) {
    throw new ConfigError("Must specify either server, client or dev mode for the agent.");
  }
  if (config.data_dir !== undefined && config.data_dir !== "" && !isAbsolute(config.data_dir)) {
    throw new ConfigError(
      `data_dir must be given as an absolute path: found ${config.data_dir}`,
      undefined,
      "data_dir",
    );
  }
  const hasDataDir = config.data_dir !== undefined && config.data_dir !== "";
  if (!context.dev && config.server.enabled && !hasDataDir) {
    throw new ConfigError(
      `Must specify "data_dir" config option or "data-dir" CLI flag`,
      undefined,
      "data_dir",
    );
  }
  if (!context.dev && config.client.enabled && !hasDataDir) {
    const c = config.client;
    if (c.alloc_dir === undefined || c.state_dir === undefined || config.plugin_dir === undefined) {
      throw new ConfigError(
        "Must specify the state, alloc dir, and plugin dir if data-dir is omitted.",
        undefined,
        "data_dir",
      );
    }
  }
  if (!config.server.enabled && context.bootstrapExpectFlag === true && config.server.bootstrap_expect > 0) {
    throw new ConfigError(
      "Bootstrap requires server mode to be enabled",
      undefined,
      "server.bootstrap_expect",
    );
  }
  if (config.server.enabled && config.server.bootstrap_expect === 1) {
    warnings.push("WARNING: Bootstrap mode enabled! Potentially unsafe operation.");
  } else if (
    config.server.enabled &&
    config.server.bootstrap_expect > 1 &&
    config.server.bootstrap_expect % 2 === 0
  ) {
    warnings.push("WARNING: Number of bootstrap servers should ideally be set to an odd number.");
  }
  if (config.client.enabled && config.client.min_dynamic_port > config.client.max_dynamic_port) {
    throw new ConfigError(
      "client.min_dynamic_port must be less than client.max_dynamic_port",
      undefined,
      "client.min_dynamic_port",
    );
  }
  return warnings;
}

/** Where each part keeps its state; undefined in dev mode without a data_dir (in memory / temp dirs). */
export function agentDirs(config: AgentConfig): {
  server?: string;
  clientState?: string;
  clientAlloc?: string;
  plugins?: string;
} {
  const base = config.data_dir !== undefined && config.data_dir !== "" ? config.data_dir : undefined;
  const pick = (explicit: string | undefined, sub: string): string | undefined =>
    explicit ?? (base === undefined ? undefined : join(base, sub));
  const out: { server?: string; clientState?: string; clientAlloc?: string; plugins?: string } = {};
  const server = pick(config.server.data_dir, "server");
  const clientState = pick(config.client.state_dir, "client");
  const clientAlloc = pick(config.client.alloc_dir, "alloc");
  const plugins = pick(config.plugin_dir, "plugins");
  if (server !== undefined) out.server = server;
  if (clientState !== undefined) out.clientState = clientState;
  if (clientAlloc !== undefined) out.clientAlloc = clientAlloc;
  if (plugins !== undefined) out.plugins = plugins;
  return out;
}

/** raw_exec is off unless the plugin block or the legacy client option turns it on (dev does both). */
export function rawExecEnabled(config: AgentConfig): boolean {
  const pluginEnabled = config.plugin["raw_exec"]?.config["enabled"];
  const option = config.client.options["driver.raw_exec.enable"];
  return pluginEnabled === true || pluginEnabled === "true" || option === "1" || option === "true";
}

export type { AgentFlags };
