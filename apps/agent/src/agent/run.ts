// `nomad agent`: load and validate the config, start the HTTP listener, the server and the
// client, print Nomad's banner, stream logs, and react to signals as Nomad does (§1.5, §1.6).
import { agentVersion } from "../version.js";
import { HttpApi } from "../http/server.js";
import { agentInfoFromConfig } from "../http/agent-info.js";
import { agentAddresses, joinHostPort, hostOf } from "./addresses.js";
import { shutdownBackend, type AgentBackend } from "./backend.js";
import { configurationBlock, loadedFilesLine, OUTPUT_PREFIX, STARTED_LINE } from "./banner.js";
import { ConfigError } from "./config/errors.js";
import type { AgentFlags } from "./config/flags.js";
import { loadAgentConfig, type LoadedAgentConfig, type ResolveOptions } from "./config/resolve.js";
import type { AgentConfig } from "./config/schema.js";
import { GatedSink, HclogLogger, LogLevelControl, type Logger, type LogLevel } from "./logger.js";
import { processSignals, SIGNAL_NAMES, type AgentSignal, type SignalSource } from "./signals.js";
import { startBackend as realStartBackend, type StartBackendOptions } from "./start-backend.js";

export interface AgentIo {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: AgentIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
};

export type StartBackendFn = (
  config: AgentConfig,
  logger: Logger,
  options: StartBackendOptions,
) => Promise<AgentBackend>;

export interface RunAgentOptions {
  readonly flags: AgentFlags;
  readonly io?: AgentIo;
  readonly signals?: SignalSource;
  readonly startBackend?: StartBackendFn;
  readonly resolve?: ResolveOptions;
  /** Injected for tests; the client warns when it is not root. */
  readonly isRoot?: () => boolean;
  /** Nomad gives a graceful leave 5 s before giving up. */
  readonly gracefulTimeoutMs?: number;
  /** Called once the banner is out (tests: the agent is up). */
  readonly onStarted?: (agent: { httpAddrs: string[]; backend: AgentBackend }) => void;
}

const GRACEFUL_TIMEOUT_MS = 5_000;

/** Runs the agent until a signal stops it; resolves with the process exit code. */
export async function runAgent(options: RunAgentOptions): Promise<number> {
  const io = options.io ?? processIo;
  const fail = (message: string): number => {
    io.err(`${OUTPUT_PREFIX}${message}\n`);
    return 1;
  };

  let loaded: LoadedAgentConfig;
  try {
    loaded = await loadAgentConfig(options.flags, options.resolve);
  } catch (e) {
    if (e instanceof ConfigError) return fail(e.message);
    return fail(`Error loading configuration: ${errorText(e)}`);
  }
  const { config } = loaded;
  for (const warning of loaded.warnings) io.err(`${OUTPUT_PREFIX}${warning}\n`);
  io.out(loadedFilesLine(loaded.files));
  io.out(`${OUTPUT_PREFIX}Starting Nomad agent...\n`);

  const sink = new GatedSink(io.out);
  const level = new LogLevelControl(config.log_level as LogLevel);
  const logger = new HclogLogger({ sink, level, json: config.log_json });
  const agentLog = logger.named("agent");

  const addresses = agentAddresses(config);
  const http = new HttpApi({
    agent: agentInfoFromConfig(config, addresses, {
      version: agentVersion,
      files: loaded.files,
      dev: loaded.dev,
    }),
    logger: logger.named("http"),
    responseHeaders: config.http_api_response_headers,
    maxConnsPerClient: config.limits.http_max_conns_per_client,
  });
  let httpAddrs: string[];
  try {
    httpAddrs = await http.listen(addresses.httpBind, config.ports.http);
  } catch (e) {
    sink.open();
    return fail(`Error starting agent: failed to start HTTP server: ${errorText(e)}`);
  }
  // With port 0 (tests) the bound port is only known now; the client advertises it.
  const httpPort = Number(httpAddrs[0]?.slice(httpAddrs[0].lastIndexOf(":") + 1) ?? config.ports.http);
  const httpAdvertise =
    config.advertise.http !== undefined
      ? addresses.httpAdvertise
      : joinHostPort(hostOf(addresses.httpAdvertise), httpPort);

  if (config.client.enabled && !(options.isRoot ?? isRoot)()) {
    agentLog.warn(
      "client is not running as root: the exec driver is unavailable (its isolation needs root for namespaces and cgroups); raw_exec tasks run as this user",
    );
  }

  let backend: AgentBackend;
  try {
    backend = await (options.startBackend ?? realStartBackend)(config, logger, {
      dev: loaded.dev,
      httpAdvertise,
    });
  } catch (e) {
    await http.close();
    sink.open();
    return fail(`Error starting agent: ${errorText(e)}`);
  }
  http.setBackend(backend);

  const server = backend.server;
  io.out(
    configurationBlock({
      httpAdvertise,
      httpBind: httpAddrs,
      ...(server === undefined
        ? {}
        : {
            server: {
              rpcAdvertise: server.rpcAdvertise,
              serfAdvertise: server.serfAdvertise,
              rpcBind: joinHostPort(addresses.rpcBind, portOf(server.rpcAdvertise, config.ports.rpc)),
              serfBind: joinHostPort(addresses.serfBind, portOf(server.serfAdvertise, config.ports.serf)),
              nodeID: server.nodeID,
            },
          }),
      client: backend.client !== undefined,
      logLevel: config.log_level,
      region: config.region,
      datacenter: config.datacenter,
      version: agentVersion,
    }),
  );
  io.out(STARTED_LINE);
  sink.open();
  options.onStarted?.({ httpAddrs, backend });

  const code = await waitForSignals({
    io,
    signals: options.signals ?? processSignals,
    config,
    logger: agentLog,
    gracefulTimeoutMs: options.gracefulTimeoutMs ?? GRACEFUL_TIMEOUT_MS,
    backend,
    reload: async () => {
      const next = await loadAgentConfig(options.flags, options.resolve);
      level.level = next.config.log_level as LogLevel;
      agentLog.info("reloaded configuration", { log_level: next.config.log_level });
    },
  });
  await http.close();
  return code;
}

interface SignalLoop {
  io: AgentIo;
  signals: SignalSource;
  config: AgentConfig;
  logger: Logger;
  gracefulTimeoutMs: number;
  backend: AgentBackend;
  reload(): Promise<void>;
}

/** Resolves with the exit code once the agent has stopped. */
function waitForSignals(loop: SignalLoop): Promise<number> {
  const { io, signals, config, backend } = loop;
  return new Promise<number>((resolve) => {
    let stopping = false;
    let reloading = Promise.resolve();
    const listeners = new Map<AgentSignal, () => void>();
    const finish = (code: number): void => {
      for (const [sig, fn] of listeners) signals.off(sig, fn);
      resolve(code);
    };
    const onStop = (sig: AgentSignal): void => {
      io.out(`${OUTPUT_PREFIX}Caught signal: ${SIGNAL_NAMES[sig]}\n`);
      if (stopping) {
        // A second signal while leaving gracefully: give up on the leave (Nomad exits 1).
        finish(1);
        return;
      }
      stopping = true;
      const graceful = sig === "SIGINT" ? config.leave_on_interrupt : config.leave_on_terminate;
      if (!graceful) {
        void shutdownBackend(backend)
          .catch((e: unknown) => loop.logger.error("error while shutting down", { error: errorText(e) }))
          .finally(() => finish(1));
        return;
      }
      io.out(`${OUTPUT_PREFIX}Gracefully shutting down agent...\n`);
      void gracefulLeave(backend, loop.gracefulTimeoutMs).then(
        (inTime) => {
          if (!inTime) loop.logger.warn("graceful leave did not finish in time");
          finish(inTime ? 0 : 1);
        },
        (e: unknown) => {
          loop.logger.error("error leaving", { error: errorText(e) });
          finish(1);
        },
      );
    };
    const onHup = (): void => {
      io.out(`${OUTPUT_PREFIX}Caught signal: hangup\n`);
      io.out(`${OUTPUT_PREFIX}Reloading configuration...\n`);
      reloading = reloading.then(() =>
        loop
          .reload()
          .catch((e: unknown) => io.err(`${OUTPUT_PREFIX}Failed to reload configs: ${errorText(e)}\n`)),
      );
    };
    listeners.set("SIGINT", () => onStop("SIGINT"));
    listeners.set("SIGTERM", () => onStop("SIGTERM"));
    listeners.set("SIGHUP", onHup);
    // A closed stdout must not kill the agent (Nomad ignores SIGPIPE).
    listeners.set("SIGPIPE", () => undefined);
    for (const [sig, fn] of listeners) signals.on(sig, fn);
  });
}

/** Leave the cluster, then stop; true when done within the timeout. */
async function gracefulLeave(backend: AgentBackend, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const leave = (async (): Promise<true> => {
    if (backend.server !== undefined) await backend.server.leave();
    await shutdownBackend(backend);
    return true;
  })();
  try {
    return await Promise.race([leave, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function portOf(hostPort: string, fallback: number): number {
  const n = Number(hostPort.slice(hostPort.lastIndexOf(":") + 1));
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

function isRoot(): boolean {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
