// NomadClient: the node half of a Nomad agent. It fingerprints the host, registers the node
// and heartbeats (servers/server-link.ts), watches the allocations the servers assign to it
// (servers/alloc-watcher.ts), runs each one through an allocation runner, reports their
// status in batches (servers/alloc-updater.ts) and keeps what it needs to survive a restart
// in the state store (state/). On start it restores every allocation it kept and lets the
// runners re-attach to their tasks *before* asking the servers anything, so a restart never
// starts a running task again; allocations the servers no longer want are then stopped.
// `shutdown()` stops talking to the servers and leaves the tasks running, as Nomad does.

import { chmod, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createDefaultRegistry,
  FingerprintManager,
  type FingerprintManagerOptions,
  type HostFingerprint,
} from "@nomad/fingerprint";
import { RpcError, type Rpc } from "@nomad/rpc";
import { allocClientTerminal, formatDurationNs, NS_PER_MS, type Allocation, type Node } from "@nomad/structs";
import {
  normalizeServerAddress,
  parseClientConfig,
  type ClientConfig,
  type ClientConfigInput,
} from "./config.js";
import { silentLogger, type Logger } from "./logger.js";
import { buildNode, fingerprintConfigOf } from "./node/build-node.js";
import { systemClock, type ClientClock } from "./node/clock.js";
import { loadOrCreateSecretID } from "./node/identity.js";
import { streamLogs, type LogFrame, type StreamLogsRequest } from "./fs/stream-logs.js";
import { AllocUpdater } from "./servers/alloc-updater.js";
import { AllocWatcher, type AllocDiff } from "./servers/alloc-watcher.js";
import type { AllocRunnerFactory, ClientAllocRunner } from "./servers/runner-seam.js";
import { createAllocRunnerFactory, createClientDrivers } from "./servers/default-runners.js";
import type { DriverRegistry } from "./drivers/index.js";
import { hasSetServers, messageOf, ServerLink } from "./servers/server-link.js";
import type { ClientStateStore } from "./state/alloc-state-store.js";
import { FileStateStore } from "./state/file-state-store.js";
import { MemoryStateStore } from "./state/memory-state-store.js";
// [gc wiring] client-side alloc GC (src/gc/).
import { ClientGc } from "./gc/client-gc.js";
import type { DiskUsageProbe } from "./gc/disk-usage.js";

const CLIENT_TERMINAL = new Set(["complete", "failed", "lost"]);

export interface NomadClientDeps {
  rpc: Rpc;
  logger?: Logger;
  /** Creates one runner per allocation; default: the package's AllocRunner over raw_exec, exec (and mock_driver). */
  runners?: AllocRunnerFactory;
  clock?: ClientClock;
  /** Replaces the state store chosen from the config (tests). */
  stateStore?: ClientStateStore;
  /** Fingerprinting seams (probe, scheduler, registry) for tests. */
  fingerprint?: Omit<FingerprintManagerOptions, "config">;
  /** [gc wiring] How full the alloc dir's filesystem is; default statfs(2) (tests). */
  diskUsage?: DiskUsageProbe;
}

interface RunnerEntry {
  runner: ClientAllocRunner;
  alloc: Allocation;
}

export class NomadClient {
  readonly nodeID: string;
  readonly config: ClientConfig;
  private currentNode: Node;
  private readonly runners = new Map<string, RunnerEntry>();
  /** [gc wiring] Client-side alloc GC: destroys terminal allocations every gc_interval. */
  readonly gc: ClientGc;
  /**
   * [gc wiring] Allocations the client GC destroyed that the servers still list, with the
   * AllocModifyIndex last seen: the watch neither pulls nor starts them again, and drops
   * them when the servers GC them too.
   */
  private readonly collected = new Map<string, number>();
  private readonly link: ServerLink;
  private watcher: AllocWatcher | undefined;
  private readonly updater: AllocUpdater;
  private nodeUpdateTimer: unknown = undefined;
  private unsubscribeFingerprint: () => void = () => undefined;
  private stopped = false;
  /** The alloc dir made for a -dev client without a data dir, removed on shutdown. */
  private tempAllocDir: string | undefined;
  /** Serialises alloc diffs and the restore, so one allocation is never handled twice at once. */
  private applying: Promise<void> = Promise.resolve();

  private constructor(
    config: ClientConfig,
    node: Node,
    private readonly rpc: Rpc,
    private readonly state: ClientStateStore,
    private readonly fingerprints: FingerprintManager,
    private readonly runnerFactory: AllocRunnerFactory,
    private readonly clock: ClientClock,
    private readonly logger: Logger,
    diskUsage?: DiskUsageProbe,
  ) {
    this.config = config;
    this.nodeID = node.ID;
    this.currentNode = node;
    this.link = new ServerLink({
      rpc,
      node: () => this.currentNode,
      region: config.region,
      devMode: config.devMode,
      registerRetryMs: config.registerRetryMs,
      initialHeartbeatStaggerMs: config.initialHeartbeatStaggerMs,
      servers: config.servers,
      clock,
      logger,
      onStatus: (status) => {
        this.currentNode = { ...this.currentNode, Status: status };
        logger.info("node status", { status });
      },
    });
    this.updater = new AllocUpdater({
      rpc,
      secretID: node.SecretID,
      region: config.region,
      intervalMs: config.allocSyncIntervalMs,
      clock,
      logger,
    });
    // [gc wiring]
    this.gc = new ClientGc({
      settings: config.gc,
      allocDir: config.allocDir as string,
      host: {
        allocs: () => this.runners.values(),
        release: (id) => {
          const entry = this.runners.get(id);
          if (entry === undefined) return;
          this.runners.delete(id);
          this.collected.set(id, entry.alloc.AllocModifyIndex);
        },
      },
      state,
      clock,
      logger: logger.named("gc"),
      ...(diskUsage === undefined ? {} : { diskUsage }),
    });
  }

  static async start(
    configInput: ClientConfigInput | ClientConfig,
    deps: NomadClientDeps,
  ): Promise<NomadClient> {
    const config = parseClientConfig(configInput);
    const logger = deps.logger ?? silentLogger;
    const clock = deps.clock ?? systemClock;
    // -dev without a data dir: Nomad makes temporary directories too.
    let tempAllocDir: string | undefined;
    if (config.allocDir === undefined)
      config.allocDir = tempAllocDir = await mkdtemp(join(tmpdir(), "NomadClient"));
    await mkdir(config.allocDir, { recursive: true, mode: 0o711 });
    // Tasks may run as another user (exec: nobody) and must reach their own dir below it.
    if (tempAllocDir !== undefined) await chmod(tempAllocDir, 0o711);
    // The real drivers both run tasks and tell the fingerprint what this node can run.
    const drivers = deps.runners === undefined ? createClientDrivers(config, logger) : undefined;
    const runnerFactory = deps.runners ?? createAllocRunnerFactory(drivers as DriverRegistry);

    const state =
      deps.stateStore ??
      (config.devMode || config.stateDir === undefined
        ? new MemoryStateStore()
        : await FileStateStore.open(config.stateDir));
    let fingerprints: FingerprintManager | undefined;
    let client: NomadClient;
    try {
      const secretID = await loadOrCreateSecretID(config.devMode ? undefined : config.stateDir);
      fingerprints = new FingerprintManager({
        ...(drivers === undefined ? {} : { registry: createDefaultRegistry(drivers.detectors()) }),
        ...deps.fingerprint,
        config: fingerprintConfigOf(config),
      });
      const fp = await fingerprints.start();
      const node = buildNode(config, fp, { secretID });
      client = new NomadClient(
        config,
        node,
        deps.rpc,
        state,
        fingerprints,
        runnerFactory,
        clock,
        logger,
        deps.diskUsage, // [gc wiring]
      );
      client.tempAllocDir = tempAllocDir;
      logger.info("using alloc directory", { alloc_dir: config.allocDir });
      logger.info("node fingerprinted", { node_id: node.ID, drivers: Object.keys(node.Drivers).join(",") });
      await client.restore();
    } catch (e) {
      // Nothing may keep running after a failed start: timers, the store, a temp dir.
      fingerprints?.stop();
      await state.close().catch(() => undefined);
      if (tempAllocDir !== undefined) await rm(tempAllocDir, { recursive: true, force: true });
      throw e;
    }
    client.unsubscribeFingerprint = fingerprints.onChange(({ diff, current }) => {
      if (diff.nodeChanged) client.nodeChanged(current);
    });
    client.updater.start();
    client.gc.start(); // [gc wiring]
    client.link.start();
    void client.link.registered().then(() => client.startWatch());
    return client;
  }

  node(): Node {
    return structuredClone(this.currentNode);
  }

  numAllocations(): number {
    return this.runners.size;
  }

  hasAlloc(allocID: string): boolean {
    return this.runners.has(allocID);
  }

  /** Nomad's `stats.client` of `/v1/agent/self`: every value a string. */
  stats(): Record<string, string> {
    const { heartbeatTtlMs, lastHeartbeatMs } = this.link.stats();
    return {
      node_id: this.nodeID,
      known_servers: this.link.servers().join(","),
      num_allocations: String(this.runners.size),
      heartbeat_ttl: formatDurationNs(Math.round(heartbeatTtlMs * NS_PER_MS)),
      last_heartbeat:
        lastHeartbeatMs === 0
          ? "never"
          : formatDurationNs(Math.max(0, this.clock.nowMs() - lastHeartbeatMs) * NS_PER_MS),
    };
  }

  /** Replaces the servers the client talks to (needs a ServerRpc). */
  setServers(addrs: string[]): void {
    if (!hasSetServers(this.rpc)) throw new Error("setServers: this client talks to an in-process server");
    const servers = addrs.map(normalizeServerAddress);
    this.rpc.setServers(servers);
    this.link.setServers(servers);
  }

  /** The servers the client knows (configured, then learnt from heartbeat replies). */
  servers(): string[] {
    return [...this.link.servers()];
  }

  streamLogs(req: StreamLogsRequest): AsyncIterable<LogFrame> {
    const entry = this.runners.get(req.allocID);
    if (entry === undefined) throw new RpcError("NOT_FOUND", `Unknown allocation "${req.allocID}"`);
    const group = entry.alloc.Job?.TaskGroups.find((g) => g.Name === entry.alloc.TaskGroup);
    if (group !== undefined && !group.Tasks.some((t) => t.Name === req.task)) {
      throw new RpcError("INVALID", `task group "${entry.alloc.TaskGroup}" doesn't have task "${req.task}"`);
    }
    if (req.type !== "stdout" && req.type !== "stderr") {
      throw new RpcError("INVALID", `log type "${String(req.type)}" must be "stdout" or "stderr"`);
    }
    return streamLogs(this.config.allocDir as string, req, { pollIntervalMs: this.config.logPollIntervalMs });
  }

  /** Stops heartbeats, the watch and status updates; tasks keep running (Nomad). */
  async shutdown(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.unsubscribeFingerprint();
    this.fingerprints.stop();
    if (this.nodeUpdateTimer !== undefined) this.clock.clearTimeout(this.nodeUpdateTimer);
    this.link.stop();
    await this.watcher?.stop();
    await this.applying.catch(() => undefined);
    await this.gc.stop(); // [gc wiring] destroys under way finish first
    await this.updater.stop();
    // -dev keeps nothing, tasks included (Nomad destroys every allocation on a dev agent's
    // shutdown); otherwise tasks keep running for the next agent to re-attach.
    const dev = this.config.devMode;
    await Promise.all(
      [...this.runners.values()].map((e) =>
        (dev ? e.runner.destroy() : e.runner.shutdown()).catch((err: unknown) =>
          this.logger.error("runner shutdown failed", { error: messageOf(err) }),
        ),
      ),
    );
    await this.state.close();
    if (this.tempAllocDir !== undefined) await rm(this.tempAllocDir, { recursive: true, force: true });
  }

  // ---- internals ----

  private nodeChanged(fp: HostFingerprint): void {
    if (this.stopped) return;
    this.currentNode = buildNode(
      this.config,
      fp,
      { secretID: this.currentNode.SecretID },
      this.currentNode.Status,
    );
    // Changes come in bursts (drivers, then resources): coalesce before telling the servers.
    if (this.nodeUpdateTimer !== undefined) this.clock.clearTimeout(this.nodeUpdateTimer);
    this.nodeUpdateTimer = this.clock.setTimeout(() => {
      this.nodeUpdateTimer = undefined;
      this.logger.info("node attributes changed: registering again");
      this.link.reregister();
    }, this.config.nodeUpdateDebounceMs);
  }

  private async restore(): Promise<void> {
    const { allocs, corrupt } = await this.state.loadAll();
    for (const c of corrupt) {
      this.logger.error("corrupt client state record ignored", { path: c.path, reason: c.reason });
    }
    for (const { alloc } of allocs) {
      const runner = this.newRunner(alloc);
      this.runners.set(alloc.ID, { runner, alloc });
      try {
        await runner.restore();
        this.logger.info("restored allocation", { alloc_id: alloc.ID });
      } catch (e) {
        // Kept: the servers' answer decides whether it is stopped or run on.
        this.logger.error("error restoring allocation", { alloc_id: alloc.ID, error: messageOf(e) });
      }
    }
  }

  private startWatch(): void {
    if (this.stopped || this.watcher !== undefined) return;
    this.watcher = new AllocWatcher({
      rpc: this.rpc,
      nodeID: this.nodeID,
      secretID: this.currentNode.SecretID,
      region: this.config.region,
      maxQueryTimeMs: this.config.watchMaxQueryTimeMs,
      retryMs: this.config.registerRetryMs,
      clock: this.clock,
      logger: this.logger,
      known: () =>
        new Map([
          ...this.collected, // [gc wiring]
          ...[...this.runners].map(([id, e]): [string, number] => [id, e.alloc.AllocModifyIndex]),
        ]),
      isTerminal: (id) => {
        if (this.collected.has(id)) return true; // [gc wiring]
        const e = this.runners.get(id);
        if (e === undefined || e.alloc.DesiredStatus !== "run") return true;
        return CLIENT_TERMINAL.has(e.runner.clientStatus().ClientStatus);
      },
      apply: (diff) => this.apply(diff),
    });
    this.watcher.start();
  }

  private apply(diff: AllocDiff): Promise<void> {
    const run = this.applying.then(() => this.applyNow(diff));
    this.applying = run.catch(() => undefined);
    return run;
  }

  private async applyNow(diff: AllocDiff): Promise<void> {
    for (const id of diff.removed) {
      this.collected.delete(id); // [gc wiring] GC'd here and now on the servers too
      const entry = this.runners.get(id);
      if (entry === undefined) continue;
      this.runners.delete(id);
      this.logger.info("allocation removed by the servers: destroying", { alloc_id: id });
      try {
        await entry.runner.destroy();
      } catch (e) {
        this.logger.error("error destroying allocation", { alloc_id: id, error: messageOf(e) });
      }
      await this.state.deleteAlloc(id);
    }
    // [gc wiring] Nomad's MakeRoomFor: collect terminal allocations before new ones start
    // when gc_max_allocs would be exceeded.
    const incoming = diff.updated.filter(
      (a) =>
        !this.runners.has(a.ID) &&
        !this.collected.has(a.ID) &&
        a.DesiredStatus === "run" &&
        !allocClientTerminal(a),
    ).length;
    if (incoming > 0) {
      await this.gc.makeRoomFor(incoming).catch((e: unknown) => {
        this.logger.error("alloc garbage collection failed", { error: messageOf(e) });
      });
    }
    for (const alloc of diff.updated) {
      // [gc wiring] Collected here: never started again, only its index is kept.
      if (this.collected.has(alloc.ID)) {
        this.collected.set(alloc.ID, alloc.AllocModifyIndex);
        continue;
      }
      const entry = this.runners.get(alloc.ID);
      if (entry !== undefined) {
        entry.alloc = alloc;
        await this.state.putAlloc(alloc);
        entry.runner.update(alloc);
        continue;
      }
      // Nothing to stop and nothing to run: an allocation that ended before this client
      // ever saw it (e.g. its state was lost) is not started just to be stopped.
      if (alloc.DesiredStatus !== "run" || allocClientTerminal(alloc)) continue;
      await this.state.putAlloc(alloc);
      const runner = this.newRunner(alloc);
      this.runners.set(alloc.ID, { runner, alloc });
      this.logger.info("starting allocation", { alloc_id: alloc.ID, name: alloc.Name });
      void runner.run().catch((e: unknown) => {
        this.logger.error("allocation runner failed", { alloc_id: alloc.ID, error: messageOf(e) });
      });
    }
  }

  private newRunner(alloc: Allocation): ClientAllocRunner {
    return this.runnerFactory({
      alloc,
      allocDir: this.config.allocDir as string,
      state: this.state,
      node: this.node(),
      region: this.config.region,
      logger: this.logger,
      onUpdate: (update) => {
        this.gc.observe(update); // [gc wiring] dates the allocation's end for oldest-first GC
        if (!this.stopped) this.updater.push(update);
      },
      clock: this.clock,
      config: this.config,
    });
  }
}
