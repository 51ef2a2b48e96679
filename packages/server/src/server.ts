// A Nomad server: the state store behind an FSM replicated by @nomad/raft, a gossip member of the
// server pool (@nomad/gossip, WAN timing as Nomad), the leader's duties (eval broker, workers,
// plan applier, heartbeats, core GC) while it leads, and the RPC endpoints on one port shared
// with Raft (`/rpc` and `/raft`). Everything else is in the parts; this file only wires them.
import { randomUUID } from "node:crypto";
import { createServer, type Server as HttpServer } from "node:http";
import type { Socket } from "node:net";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { SerfNode, type SerfEvent } from "@nomad/gossip";
import { RaftNode, WsTransport, isRaftError, type RaftNodeEvent } from "@nomad/raft";
import { LocalRpc, RpcError, RpcPool, RpcServer, type Rpc } from "@nomad/rpc";
import type { AgentMember, RaftConfigurationResponse } from "@nomad/structs";
import { bootstrapServers, reconcileActions } from "./cluster/reconcile.js";
import { serverParts, serverTags, type ServerParts } from "./cluster/server-parts.js";
import { parseServerConfig, type ServerConfig, type ServerConfigInput } from "./config.js";
import { createEndpoints } from "./endpoints/index.js";
import { encodeCommand, NomadFsm, type FsmCommand, type FsmResult } from "./fsm/index.js";
import { Leader } from "./leader/index.js";
import { silentLogger, type Logger } from "./logger.js";
import { loadOrCreateNodeID } from "./node-id.js";
import { openRaftStores } from "./raft-setup.js";
import { StateStore } from "./state/index.js";

/** Nomad's reconcile interval between gossip membership and the Raft peer set. */
const RECONCILE_INTERVAL_MS = 60_000;
/** Nomad's RPC hold timeout: how long a call waits for a leader to be known. */
const RPC_HOLD_TIMEOUT_MS = 5_000;
/** Nomad's Raft apply timeout. */
const APPLY_TIMEOUT_MS = 10_000;

export class NomadServer {
  readonly rpc: Rpc;
  private readonly peers = new RpcPool();
  private reconcileTimer: NodeJS.Timeout | undefined;
  private leading = false;
  private lastLeaderContactMs = Date.now();
  private closed = false;
  private readonly unsubscribe: Array<() => void> = [];
  /** Every socket the RPC/Raft listener accepted and that is still open. */
  private readonly sockets = new Set<Socket>();

  private constructor(
    readonly config: ServerConfig,
    readonly nodeID: string,
    readonly rpcAdvertise: string,
    private readonly logger: Logger,
    private readonly http: HttpServer,
    private readonly rpcServer: RpcServer,
    private readonly raft: RaftNode<FsmResult>,
    private readonly gossip: SerfNode,
    readonly state: StateStore,
    private readonly leader: Leader,
  ) {
    http.on("connection", (socket: Socket) => {
      if (this.closed) {
        socket.destroy();
        return;
      }
      this.sockets.add(socket);
      socket.once("close", () => this.sockets.delete(socket));
    });
    const handler = createEndpoints({
      state,
      apply: (cmd) => this.apply(cmd),
      isLeader: () => this.leading,
      leaderRpcAddr: () => this.leaderRpcAddr(),
      forward: (method, args) => this.forward(method, args),
      leader: () => (this.leading ? this.leader : null),
      members: () => this.members(),
      raftConfiguration: () => this.raftConfiguration(),
      removeRaftPeer: (id) => this.raft.removeServer(id, { timeoutMs: APPLY_TIMEOUT_MS }),
      regions: () => this.regions(),
      region: config.region,
      datacenter: config.datacenter,
      serverName: config.name, // Nomad's ServerName is the node name, not the gossip name
      lastContactMs: () => (this.leading ? 0 : Date.now() - this.lastLeaderContactMs),
      logger: logger.named("nomad.endpoints"),
    });
    this.rpc = new LocalRpc(handler);
    rpcServer.setHandler(handler);
  }

  get serfName(): string {
    return `${this.config.name}.${this.config.region}`;
  }

  get serfAdvertise(): string {
    const a = this.gossip.address;
    return `${a.host}:${a.port}`;
  }

  static async start(input: ServerConfigInput, logger: Logger = silentLogger): Promise<NomadServer> {
    const config = parseServerConfig(input);
    const serverDir = config.dataDir === undefined ? undefined : join(config.dataDir, "server");
    const nodeID = serverDir === undefined ? randomUUID() : await loadOrCreateNodeID(serverDir);
    const log = logger.named("nomad");

    const http = createServer((_req, res) => res.writeHead(426).end("websocket upgrade required\n"));
    await new Promise<void>((resolve, reject) => {
      http.once("error", reject);
      http.listen({ host: config.bindAddr, port: config.rpcPort }, () => {
        http.off("error", reject);
        resolve();
      });
    });
    const bound = http.address();
    const rpcPort = typeof bound === "object" && bound !== null ? bound.port : config.rpcPort;
    const advertiseHost = config.advertiseAddr ?? config.bindAddr;
    const rpcAdvertise = `${advertiseHost}:${rpcPort}`;
    const rpcServer = RpcServer.attach(http, { path: "/rpc" });
    const transport = WsTransport.attach({ id: nodeID, address: rpcAdvertise, server: http, path: "/raft" });

    const state = new StateStore();
    const fsm = new NomadFsm(state);
    const stores = await openRaftStores(serverDir);
    const bootstrap =
      config.bootstrapExpect === 1
        ? { servers: [{ id: nodeID, address: rpcAdvertise, suffrage: "voter" as const }] }
        : undefined;
    const raft = await RaftNode.start<FsmResult>({
      id: nodeID,
      config: {
        multiplier: config.raftMultiplier,
        snapshotThreshold: config.raftSnapshotThreshold,
        trailingLogs: config.raftTrailingLogs,
      },
      transport,
      ...stores,
      fsm,
      ...(bootstrap === undefined ? {} : { bootstrap }),
    });

    // Gossip events and the leader's Raft proposals may arrive before the server object exists.
    const ref: { server?: NomadServer } = {};
    const pending: SerfEvent[] = [];
    const gossip = await SerfNode.start(
      {
        name: `${config.name}.${config.region}`,
        bindHost: config.bindAddr,
        bindPort: config.serfPort,
        ...(config.advertiseAddr === undefined ? {} : { advertiseHost: config.advertiseAddr }),
        tags: serverTags({
          region: config.region,
          datacenter: config.datacenter,
          nodeID,
          rpcHost: advertiseHost,
          rpcPort,
          bootstrapExpect: config.bootstrapExpect,
          build: config.version,
        }),
        encryptKeys: config.encrypt === undefined ? [] : [config.encrypt],
      },
      (e) => (ref.server === undefined ? pending.push(e) : ref.server.onGossip(e)),
      "wan",
    );

    const leader = new Leader({
      state,
      events: fsm.events,
      apply: (cmd: FsmCommand) => ref.server!.apply(cmd),
      config: {
        numSchedulers: config.numSchedulers ?? availableParallelism(),
        enabledSchedulers: config.enabledSchedulers,
        heartbeatGraceMs: config.heartbeatGraceMs,
        minHeartbeatTtlMs: config.minHeartbeatTtlMs,
        maxHeartbeatsPerSecond: config.maxHeartbeatsPerSecond,
        failoverHeartbeatTtlMs: config.failoverHeartbeatTtlMs,
        nodeGcThresholdMs: config.nodeGcThresholdMs,
        jobGcThresholdMs: config.jobGcThresholdMs,
        evalGcThresholdMs: config.evalGcThresholdMs,
        batchEvalGcThresholdMs: config.batchEvalGcThresholdMs,
        deploymentGcThresholdMs: config.deploymentGcThresholdMs,
        gcIntervalMs: config.gcIntervalMs,
      },
      logger: log.named("leader"),
    });

    ref.server = new NomadServer(
      config,
      nodeID,
      rpcAdvertise,
      logger,
      http,
      rpcServer,
      raft,
      gossip,
      state,
      leader,
    );
    const s = ref.server;
    s.unsubscribe.push(raft.observe((ev) => s.onRaftEvent(ev)));
    for (const e of pending.splice(0)) s.onGossip(e);
    log.info("started server", { node_id: nodeID, rpc: rpcAdvertise, serf: s.serfAdvertise });
    s.reconcileTimer = setInterval(() => void s.reconcile(), RECONCILE_INTERVAL_MS);
    s.reconcileTimer.unref();
    if (raft.state() === "leader") await s.becomeLeader();
    if (config.startJoin.length > 0) {
      const n = await gossip.join(config.startJoin);
      if (n === 0) {
        await s.shutdown();
        throw new Error(`start_join: could not join any of ${config.startJoin.join(", ")}`);
      }
    }
    if (config.retryJoin.length > 0) void s.retryJoin();
    return s;
  }

  // ------------------------------------------------------------ raft

  /** Proposes a command through Raft; resolves once applied on this (leader) server. */
  async apply(cmd: FsmCommand): Promise<{ index: number }> {
    let result: FsmResult;
    try {
      result = await this.raft.apply(encodeCommand(cmd), { timeoutMs: APPLY_TIMEOUT_MS });
    } catch (e) {
      throw this.rpcErrorFromRaft(e);
    }
    if (result.error !== undefined) throw new RpcError("INVALID", result.error);
    return { index: result.index };
  }

  private rpcErrorFromRaft(e: unknown): Error {
    if (!isRaftError(e)) return e instanceof Error ? e : new Error(String(e));
    switch (e.code) {
      case "NOT_LEADER": {
        const addr = this.leaderRpcAddr();
        return new RpcError("NOT_LEADER", e.message, addr === "" ? undefined : { leader: addr });
      }
      case "NO_LEADER":
        return new RpcError("NO_LEADER", "No cluster leader");
      case "TIMEOUT":
        return new RpcError("TIMEOUT", e.message);
      case "SHUTDOWN":
        return new RpcError("SHUTDOWN", e.message);
      default:
        return new RpcError("INTERNAL", e.message);
    }
  }

  private onRaftEvent(ev: RaftNodeEvent): void {
    switch (ev.type) {
      case "leaderChange":
        this.lastLeaderContactMs = Date.now();
        this.logger
          .named("nomad.raft")
          .info("leader changed", { leader: this.raft.leader()?.address ?? "none" });
        return;
      case "roleChange":
        if (ev.role === "leader" && !this.leading) void this.becomeLeader();
        else if (ev.role !== "leader" && this.leading) void this.loseLeadership();
        return;
      case "fatal":
        this.logger.error("raft failed", { error: String(ev.error) });
        return;
      default:
        return;
    }
  }

  private async becomeLeader(): Promise<void> {
    if (this.leading || this.closed) return;
    this.leading = true;
    this.logger.named("nomad").info("cluster leadership acquired");
    try {
      // The new leader's state must include every committed entry before it acts on it.
      await this.raft.barrier({ timeoutMs: APPLY_TIMEOUT_MS });
      if (!this.leading) return;
      await this.leader.start();
      await this.reconcile();
    } catch (e) {
      this.logger.named("nomad").error("failed to establish leadership", { error: String(e) });
    }
  }

  private async loseLeadership(): Promise<void> {
    this.leading = false;
    this.logger.named("nomad").info("cluster leadership lost");
    await this.leader.stop();
  }

  leaderRpcAddr(): string {
    return this.raft.leader()?.address ?? "";
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** Sends a call to the leader, waiting up to Nomad's RPC hold timeout for one to be known. */
  private async forward(method: string, args: unknown): Promise<unknown> {
    const deadline = Date.now() + RPC_HOLD_TIMEOUT_MS;
    let addr = this.leaderRpcAddr();
    while (
      (addr === "" || addr === this.rpcAdvertise) &&
      !this.leading &&
      !this.closed &&
      Date.now() < deadline
    ) {
      await new Promise((r) => setTimeout(r, 50));
      addr = this.leaderRpcAddr();
    }
    if (this.leading) throw new RpcError("NOT_LEADER", "leadership changed while forwarding; retry");
    if (addr === "" || addr === this.rpcAdvertise) throw new RpcError("NO_LEADER", "No cluster leader");
    return this.peers.get(addr).call(method, args, { timeoutMs: APPLY_TIMEOUT_MS });
  }

  raftConfiguration(): RaftConfigurationResponse {
    const names = new Map<string, string>();
    for (const p of this.serverMembers()) names.set(p.id, p.name);
    const leader = this.raft.leader()?.id;
    return {
      Index: this.raft.status().commitIndex,
      Servers: this.raft.configuration().servers.map((s) => ({
        ID: s.id,
        Node: names.get(s.id) ?? "(unknown)",
        Address: s.address,
        Leader: s.id === leader,
        Voter: s.suffrage === "voter",
        RaftProtocol: "3",
      })),
    };
  }

  // ------------------------------------------------------------ gossip

  private serverMembers(): ServerParts[] {
    const out: ServerParts[] = [];
    for (const m of this.gossip.members()) {
      const p = serverParts(m);
      if (p !== undefined) out.push(p);
    }
    return out;
  }

  private onGossip(e: SerfEvent): void {
    if (e.type === "user" || e.type === "query") return;
    // A server that starts empty must answer the leader that adds it before any Raft
    // configuration names that leader: its address comes from gossip.
    for (const p of this.serverMembers()) {
      if (p.region === this.config.region) this.raft.setPeerAddress(p.id, p.rpcAddr);
    }
    const log = this.logger.named("nomad");
    const label: Record<string, string> = {
      "member-join": "EventMemberJoin",
      "member-leave": "EventMemberLeave",
      "member-failed": "EventMemberFailed",
      "member-update": "EventMemberUpdate",
      "member-reap": "EventMemberReap",
    };
    for (const m of e.members) log.info(`serf: ${label[e.type] ?? e.type}: ${m.name} ${m.addr.host}`);
    this.maybeBootstrap();
    if (this.leading) void this.reconcile();
  }

  /** bootstrap_expect > 1: bootstrap Raft once enough servers of our region are alive and none has peers. */
  private maybeBootstrap(): void {
    const expect = this.config.bootstrapExpect;
    if (expect <= 1) return;
    const st = this.raft.status();
    if (st.term !== 0 || st.lastLogIndex !== 0) return;
    const servers = bootstrapServers(this.config.region, expect, this.serverMembers());
    if (servers === undefined) return;
    void (async () => {
      for (const s of servers) {
        if (s.id === this.nodeID) continue;
        try {
          const peers = await this.peers
            .get(s.rpcAddr)
            .call<string[]>("Status.Peers", {}, { timeoutMs: 5_000 });
          if (peers.length > 0) return; // someone already leads a cluster: wait to be added
        } catch {
          return; // try again on the next membership event
        }
      }
      const ok = this.raft.bootstrap({
        servers: servers.map((s) => ({ id: s.id, address: s.rpcAddr, suffrage: "voter" as const })),
      });
      if (ok)
        this.logger.named("nomad").info("found expected number of peers, attempting bootstrap", {
          peers: servers.map((s) => s.rpcAddr).join(","),
        });
    })();
  }

  /** Leader only: brings the Raft peer set in line with gossip, one change at a time. */
  private async reconcile(): Promise<void> {
    if (!this.leading) return;
    const peers = this.raft.configuration().servers.map((s) => ({ id: s.id, address: s.address }));
    for (const a of reconcileActions(this.config.region, this.nodeID, this.serverMembers(), peers)) {
      try {
        if (a.type === "add") {
          this.logger.named("nomad").info("adding server to raft", { id: a.id, address: a.address });
          if (a.voter) await this.raft.addVoter(a.id, a.address, { timeoutMs: APPLY_TIMEOUT_MS });
          else await this.raft.addNonvoter(a.id, a.address, { timeoutMs: APPLY_TIMEOUT_MS });
        } else {
          this.logger.named("nomad").info("removing server from raft", { id: a.id, reason: a.reason });
          await this.raft.removeServer(a.id, { timeoutMs: APPLY_TIMEOUT_MS });
        }
      } catch (e) {
        this.logger
          .named("nomad")
          .warn("failed to reconcile raft membership", { id: a.id, error: String(e) });
        return;
      }
    }
  }

  members(): AgentMember[] {
    return this.gossip.members().map((m) => ({
      Name: m.name,
      Addr: m.addr.host,
      Port: m.addr.port,
      Tags: { ...m.tags },
      Status: m.status,
      ProtocolMin: m.vsn[0] ?? 1,
      ProtocolMax: m.vsn[1] ?? 5,
      ProtocolCur: m.vsn[2] ?? 2,
      DelegateMin: m.vsn[3] ?? 2,
      DelegateMax: m.vsn[4] ?? 5,
      DelegateCur: m.vsn[5] ?? 5,
    }));
  }

  regions(): string[] {
    const set = new Set<string>([this.config.region]);
    for (const p of this.serverMembers()) set.add(p.region);
    return [...set].sort();
  }

  async join(addrs: readonly string[]): Promise<number> {
    const withPorts = addrs.map((a) => (/:\d+$/.test(a) ? a : `${a}:4648`));
    return this.gossip.join(withPorts);
  }

  async forceLeave(node: string, prune: boolean): Promise<void> {
    if (!this.gossip.members().some((m) => m.name === node)) {
      throw new RpcError("NOT_FOUND", `agent: No node found with name '${node}'`);
    }
    this.gossip.forceLeave(node, prune);
  }

  private async retryJoin(): Promise<void> {
    const { retryJoin, retryIntervalMs, retryMax } = this.config;
    for (let attempt = 1; !this.closed; attempt++) {
      const n = await this.gossip.join(retryJoin).catch(() => 0);
      if (n > 0) {
        this.logger.named("nomad").info("retry join completed", { initial_servers: n });
        return;
      }
      if (retryMax > 0 && attempt >= retryMax) {
        this.logger.named("nomad").error("max join retry exhausted, exiting");
        process.exitCode = 1;
        return;
      }
      this.logger
        .named("nomad")
        .warn("join failed, retrying", { retry_interval: `${retryIntervalMs / 1000}s` });
      await new Promise((r) => setTimeout(r, retryIntervalMs).unref());
    }
  }

  stats(): Record<string, Record<string, string>> {
    const st = this.raft.status();
    const members = this.gossip.members();
    return {
      nomad: {
        server: "true",
        leader: String(this.leading),
        leader_addr: this.leaderRpcAddr(),
        bootstrap: String(this.config.bootstrapExpect === 1),
        known_regions: String(this.regions().length),
        ...(this.leading ? this.leader.stats() : {}),
      },
      raft: {
        state: st.role === "leader" ? "Leader" : st.role === "candidate" ? "Candidate" : "Follower",
        term: String(st.term),
        commit_index: String(st.commitIndex),
        applied_index: String(this.raft.appliedIndex()),
        last_log_index: String(st.lastLogIndex),
        last_log_term: String(st.lastLogTerm),
        last_snapshot_index: String(st.snapshotIndex),
        num_peers: String(Math.max(0, this.raft.configuration().servers.length - 1)),
        protocol_version: "3",
      },
      serf: {
        members: String(members.length),
        failed: String(members.filter((m) => m.status === "failed").length),
        left: String(members.filter((m) => m.status === "left").length),
        encrypted: String(this.config.encrypt !== undefined),
        member_time: "0",
        event_time: "0",
        query_time: "0",
      },
    };
  }

  // ------------------------------------------------------------ lifecycle

  /** Graceful leave: out of the Raft peer set (when others remain), then out of gossip. */
  async leave(): Promise<void> {
    const log = this.logger.named("nomad");
    if (this.leading && this.raft.configuration().servers.length > 1) {
      await this.raft.transferLeadership(undefined, { timeoutMs: 5_000 }).catch(() => undefined);
    }
    const leader = this.leaderRpcAddr();
    if (!this.leading && leader !== "" && this.raft.configuration().servers.length > 1) {
      await this.peers
        .get(leader)
        .call("Operator.RaftRemovePeerByID", { ID: this.nodeID }, { timeoutMs: 5_000 })
        .catch((e: unknown) => log.warn("failed to leave raft configuration", { error: String(e) }));
    }
    await this.gossip.leave().catch((e: unknown) => log.warn("failed to leave gossip", { error: String(e) }));
    await this.shutdown();
  }

  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.reconcileTimer !== undefined) clearInterval(this.reconcileTimer);
    for (const u of this.unsubscribe) u();
    this.leading = false;
    const t = (what: string) => this.logger.named("nomad").debug(`shutdown: ${what}`);
    await this.leader.stop().catch(() => undefined);
    t("leader duties stopped");
    this.state.wakeAll(); // blocking queries answer now instead of at their timeout
    await this.gossip.shutdown().catch(() => undefined);
    t("gossip stopped");
    await this.raft.shutdown().catch(() => undefined);
    t("raft stopped");
    this.peers.closeAll();
    await this.rpcServer.close();
    t("rpc stopped");
    // Peers' upgraded sockets are closed by the transports above; plain keep-alive ones here.
    // Upgraded sockets are no longer the HTTP server's to close, and peers redial until they
    // notice we are gone: cut every socket the listener ever accepted.
    const closed = new Promise<void>((r) => this.http.close(() => r()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }
}
