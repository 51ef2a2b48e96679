import { EventEmitter } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalRpc } from "@nomad/rpc";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AgentBackend } from "../../src/agent/backend.js";
import type { AgentFlags } from "../../src/agent/config/flags.js";
import type { Logger } from "../../src/agent/logger.js";
import { loadedFilesLine } from "../../src/agent/banner.js";
import { runAgent, type StartBackendFn } from "../../src/agent/run.js";
import type { AgentSignal, SignalSource } from "../../src/agent/signals.js";
import { agentVersion } from "../../src/version.js";
import { FakeClient, FakeRpcHandler, FakeServer } from "../http/fake-backend.js";

class FakeSignals implements SignalSource {
  private readonly emitter = new EventEmitter();
  on(signal: AgentSignal, listener: () => void): void {
    this.emitter.on(signal, listener);
  }
  off(signal: AgentSignal, listener: () => void): void {
    this.emitter.off(signal, listener);
  }
  send(signal: AgentSignal): void {
    this.emitter.emit(signal);
  }
  count(signal: AgentSignal): number {
    return this.emitter.listenerCount(signal);
  }
}

interface Running {
  readonly out: () => string;
  readonly err: () => string;
  readonly signals: FakeSignals;
  readonly server: FakeServer;
  readonly client: FakeClient;
  readonly exit: Promise<number>;
  readonly started: Promise<{ httpAddrs: string[] }>;
  logger?: Logger;
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "agent-run-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A config file that keeps every test off the real ports. */
async function portsFile(extra = ""): Promise<string> {
  const file = join(dir, "ports.hcl");
  await writeFile(file, `ports {\n  http = 0\n}\n${extra}`);
  return file;
}

function start(flags: AgentFlags, opts: { isRoot?: boolean } = {}): Running {
  let out = "";
  let err = "";
  const signals = new FakeSignals();
  const rpc = new FakeRpcHandler();
  const local = new LocalRpc(rpc.handler);
  const server = new FakeServer(local);
  const client = new FakeClient();
  let startedResolve!: (v: { httpAddrs: string[] }) => void;
  const started = new Promise<{ httpAddrs: string[] }>((r) => (startedResolve = r));
  const running: Running = {
    out: () => out,
    err: () => err,
    signals,
    server,
    client,
    started,
    exit: Promise.resolve(0),
  };
  const startBackend: StartBackendFn = async (config, logger) => {
    running.logger = logger;
    logger.named("nomad").info("server starting", { node_id: server.nodeID });
    logger.named("nomad").debug("a debug line");
    const backend: AgentBackend = {
      rpc: local,
      ...(config.server.enabled ? { server } : {}),
      ...(config.client.enabled ? { client } : {}),
    };
    return backend;
  };
  (running as { exit: Promise<number> }).exit = runAgent({
    flags,
    io: { out: (t) => (out += t), err: (t) => (err += t) },
    signals,
    startBackend,
    resolve: { hostname: () => "testhost" },
    isRoot: () => opts.isRoot ?? true,
    gracefulTimeoutMs: 5_000,
    onStarted: (a) => startedResolve(a),
  });
  return running;
}

describe("nomad agent startup output", () => {
  it("prints Nomad's banner: files line, starting, sorted keys right-aligned to 18, started line, then the buffered logs", async () => {
    const cfg = await portsFile();
    const a = start({ dev: true, config: [cfg] });
    const { httpAddrs } = await a.started;
    const http = httpAddrs[0]!;
    const lines = a.out().split("\n");
    expect(lines.slice(0, 14)).toEqual([
      `==> Loaded configuration from ${cfg}`,
      "==> Starting Nomad agent...",
      "==> Nomad agent configuration:",
      "",
      `       Advertise Addrs: HTTP: ${http}; RPC: 127.0.0.1:4647; Serf: 127.0.0.1:4648`,
      `            Bind Addrs: HTTP: [${http}]; RPC: 127.0.0.1:4647; Serf: 127.0.0.1:4648`,
      "                Client: true",
      "             Log Level: DEBUG",
      `               Node Id: ${a.server.nodeID}`,
      "                Region: global (DC: dc1)",
      "                Server: true",
      `               Version: ${agentVersion}`,
      "",
      "==> Nomad agent started! Log data will stream in below:",
    ]);
    expect(lines[14]).toBe("");
    // The lines logged while starting come after the banner, in hclog's layout.
    expect(lines[15]).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}(Z|[+-]\d{4}) \[INFO\] {2}nomad: server starting: node_id=0b3c0000-0000-4000-8000-000000000001$/,
    );
    expect(lines[16]).toMatch(/ \[DEBUG\] nomad: a debug line$/);
    expect(a.err()).toBe("==> WARNING: Bootstrap mode enabled! Potentially unsafe operation.\n");
    a.signals.send("SIGINT");
    await a.exit;
  });

  it("says `No configuration files loaded` when no -config is given", () => {
    expect(loadedFilesLine([])).toBe("==> No configuration files loaded\n");
    expect(loadedFilesLine(["a.hcl", "b.json"])).toBe("==> Loaded configuration from a.hcl, b.json\n");
  });

  it("a client-only agent shows no RPC/Serf addresses and no Node Id", async () => {
    const a = start({ client: true, dataDir: dir, bind: "127.0.0.1", config: [await portsFile()] });
    await a.started;
    const out = a.out();
    expect(out).toMatch(/\n {7}Advertise Addrs: HTTP: 127\.0\.0\.1:\d+\n/);
    expect(out).toMatch(/\n {12}Bind Addrs: HTTP: \[127\.0\.0\.1:\d+\]\n/);
    expect(out).toContain("                Server: false\n");
    expect(out).toContain("                Client: true\n");
    expect(out).not.toContain("Node Id");
    a.signals.send("SIGTERM");
    expect(await a.exit).toBe(1);
  });

  it("filters log lines below the configured level", async () => {
    const a = start({ server: true, dataDir: dir, config: [await portsFile()], logLevel: "INFO" });
    await a.started;
    expect(a.out()).toContain("[INFO]  nomad: server starting");
    expect(a.out()).not.toContain("a debug line");
    a.signals.send("SIGINT");
    await a.exit;
  });

  it("warns when the client is not root, naming the exec driver's isolation", async () => {
    const a = start({ dev: true, config: [await portsFile()] }, { isRoot: false });
    await a.started;
    expect(a.out()).toMatch(
      /\[WARN\] {2}agent: client is not running as root: the exec driver is unavailable \(its isolation needs root/,
    );
    a.signals.send("SIGINT");
    await a.exit;
  });

  it("the HTTP API answers while the agent runs and stops with it", async () => {
    const a = start({ dev: true, config: [await portsFile()] });
    const { httpAddrs } = await a.started;
    const res = await fetch(`http://${httpAddrs[0]!}/v1/agent/health`);
    expect(res.status).toBe(200);
    a.signals.send("SIGINT");
    await a.exit;
    await expect(fetch(`http://${httpAddrs[0]!}/v1/agent/health`)).rejects.toThrow();
  });
});

describe("nomad agent refuses bad configurations", () => {
  it("prints `==> <error>` and exits 1", async () => {
    const bad = join(dir, "a.hcl");
    await writeFile(bad, `server {\n  bootstrap_expect = "x"\n}\n`);
    const a = start({ dev: true, config: [bad] });
    expect(await a.exit).toBe(1);
    expect(a.err()).toBe(
      `==> Error loading configuration from ${bad}: server.bootstrap_expect: expected a number\n`,
    );
    expect(a.out()).toBe("");
  });

  it("requires a mode", async () => {
    const a = start({});
    expect(await a.exit).toBe(1);
    expect(a.err()).toBe("==> Must specify either server, client or dev mode for the agent.\n");
  });
});

describe("signals", () => {
  it("SIGINT stops forcefully with exit 1 by default", async () => {
    const a = start({ dev: true, config: [await portsFile()] });
    await a.started;
    a.signals.send("SIGINT");
    expect(await a.exit).toBe(1);
    expect(a.out()).toContain("==> Caught signal: interrupt\n");
    expect(a.out()).not.toContain("Gracefully");
    expect(a.server.left).toBe(false);
    expect(a.server.stopped).toBe(true);
    expect(a.client.stopped).toBe(true);
    expect(a.signals.count("SIGINT")).toBe(0);
  });

  it("SIGINT with leave_on_interrupt leaves gracefully and exits 0", async () => {
    const a = start({ dev: true, config: [await portsFile("leave_on_interrupt = true\n")] });
    await a.started;
    a.signals.send("SIGINT");
    expect(await a.exit).toBe(0);
    expect(a.out()).toContain("==> Caught signal: interrupt\n==> Gracefully shutting down agent...\n");
    expect(a.server.left).toBe(true);
    expect(a.server.stopped).toBe(true);
  });

  it("SIGTERM prints `terminated`; leave_on_terminate makes it graceful", async () => {
    const forced = start({ dev: true, config: [await portsFile()] });
    await forced.started;
    forced.signals.send("SIGTERM");
    expect(await forced.exit).toBe(1);
    expect(forced.out()).toContain("==> Caught signal: terminated\n");

    const graceful = start({ dev: true, config: [await portsFile("leave_on_terminate = true\n")] });
    await graceful.started;
    graceful.signals.send("SIGTERM");
    expect(await graceful.exit).toBe(0);
    expect(graceful.server.left).toBe(true);
  });

  it("a second signal during a graceful leave exits 1", async () => {
    const a = start({ dev: true, config: [await portsFile("leave_on_interrupt = true\n")] });
    await a.started;
    let release!: () => void;
    a.server.leave = () => new Promise<void>((r) => (release = r));
    a.signals.send("SIGINT");
    a.signals.send("SIGINT");
    expect(await a.exit).toBe(1);
    release();
  });

  it("SIGHUP reloads the configuration: a new log level applies, the agent keeps running", async () => {
    const cfg = await portsFile(`log_level = "INFO"\n`);
    const a = start({ server: true, dataDir: dir, config: [cfg] });
    await a.started;
    a.logger!.named("nomad").debug("before reload");
    await writeFile(cfg, `ports {\n  http = 0\n}\nlog_level = "DEBUG"\n`);
    a.signals.send("SIGHUP");
    await expect
      .poll(() => a.out(), { timeout: 10_000 })
      .toContain("reloaded configuration: log_level=DEBUG");
    a.logger!.named("nomad").debug("after reload");
    const out = a.out();
    expect(out).toContain("==> Caught signal: hangup\n==> Reloading configuration...\n");
    expect(out).not.toContain("before reload");
    expect(out).toContain("[DEBUG] nomad: after reload");
    a.signals.send("SIGINT");
    expect(await a.exit).toBe(1);
  });

  it("a reload that fails keeps the agent running with its old config", async () => {
    const cfg = await portsFile();
    const a = start({ server: true, dataDir: dir, config: [cfg] });
    await a.started;
    await writeFile(cfg, `ports {\n  http = "nope"\n}\n`);
    a.signals.send("SIGHUP");
    await expect
      .poll(() => a.err(), { timeout: 10_000 })
      .toContain("==> Failed to reload configs: Error loading configuration from");
    a.signals.send("SIGPIPE");
    a.signals.send("SIGINT");
    expect(await a.exit).toBe(1);
  });
});
