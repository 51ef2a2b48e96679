// Registration and heartbeats, as Nomad's client does them:
//
// - Node.Register until it succeeds, retrying every `registerRetryMs` plus a random
//   stagger of as much again (15-30 s; in -dev, where the server is in-process and still
//   electing itself, from 100 ms doubling up to 1 s);
// - the first heartbeat (Node.UpdateStatus -> ready) after a random stagger up to
//   `initialHeartbeatStaggerMs` (10 s; 0 in -dev), so a fleet that restarts together does
//   not heartbeat in lockstep; then every HeartbeatTTL the server returned. The leader's
//   timer runs TTL + heartbeat_grace, so a heartbeat sent at the TTL arrives before expiry;
// - a failed heartbeat is retried no faster than once a second and no slower than every
//   30 s, jittered within the time left before the TTL runs out (Nomad's rule);
// - a server that no longer knows the node (GC'd while it was away, or a new cluster)
//   answers NOT_FOUND: the node registers again;
// - every reply carries the region's servers: they are handed to the Rpc (`setServers`)
//   so the client follows the cluster as servers come and go.

import { isRpcError, type Rpc } from "@nomad/rpc";
import {
  NS_PER_MS,
  type Node,
  type NodeRegisterRequest,
  type NodeUpdateResponse,
  type NodeUpdateStatusRequest,
} from "@nomad/structs";
import type { Logger } from "../logger.js";
import type { ClientClock } from "../node/clock.js";

/** An Rpc that can be told the server list (ServerRpc); LocalRpc has no such method. */
export interface ServerListRpc extends Rpc {
  setServers(servers: readonly string[]): void;
}

export function hasSetServers(rpc: Rpc): rpc is ServerListRpc {
  return typeof (rpc as Partial<ServerListRpc>).setServers === "function";
}

export interface ServerLinkOptions {
  rpc: Rpc;
  /** The node as it should be registered now (the link sets its Status). */
  node: () => Node;
  region: string;
  devMode: boolean;
  registerRetryMs: number;
  initialHeartbeatStaggerMs: number;
  /** Servers from the config, reported until a reply tells the real list. */
  servers: readonly string[];
  clock: ClientClock;
  logger: Logger;
  /** Called on every status change the servers accepted (initializing -> ready). */
  onStatus?: (status: Node["Status"]) => void;
}

/** Upper bound of one RPC; the servers answer writes well within it. */
const RPC_TIMEOUT_MS = 30_000;

export class ServerLink {
  private running = false;
  private timer: unknown = undefined;
  private registeredOnce = false;
  private registering = false;
  /** A change arrived while a registration was in flight: send the node again after it. */
  private registerAgain = false;
  private registerFailures = 0;
  private registerWaiters: Array<() => void> = [];
  private heartbeatTtlMs = 0;
  private lastHeartbeatMs = 0;
  private knownServers: string[];
  private status: Node["Status"] = "initializing";
  private generation = 0;
  heartbeats = 0;
  registrations = 0;
  readonly abort = new AbortController();

  constructor(private readonly o: ServerLinkOptions) {
    this.knownServers = [...o.servers];
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.register();
  }

  stop(): void {
    this.running = false;
    this.generation++;
    if (this.timer !== undefined) this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.abort.abort(new Error("client shutting down"));
  }

  /** Resolves once the node has been registered (immediately if it already was). */
  registered(): Promise<void> {
    if (this.registeredOnce) return Promise.resolve();
    return new Promise((resolve) => this.registerWaiters.push(resolve));
  }

  /** The node changed (fingerprint): register it again now. */
  reregister(): void {
    if (!this.running) return;
    void this.register();
  }

  nodeStatus(): Node["Status"] {
    return this.status;
  }

  servers(): readonly string[] {
    return this.knownServers;
  }

  /** The learnt or configured server list replaced by the operator (`/v1/agent/servers`). */
  setServers(servers: readonly string[]): void {
    this.knownServers = [...servers];
  }

  stats(): { heartbeatTtlMs: number; lastHeartbeatMs: number } {
    return { heartbeatTtlMs: this.heartbeatTtlMs, lastHeartbeatMs: this.lastHeartbeatMs };
  }

  private schedule(ms: number, fn: () => Promise<void>): void {
    if (!this.running) return;
    if (this.timer !== undefined) this.o.clock.clearTimeout(this.timer);
    const generation = this.generation;
    this.timer = this.o.clock.setTimeout(
      () => {
        this.timer = undefined;
        if (this.running && generation === this.generation) void fn();
      },
      Math.max(0, Math.round(ms)),
    );
  }

  private async register(): Promise<void> {
    if (this.registering) {
      this.registerAgain = true;
      return;
    }
    this.registering = true;
    // Cancels a pending heartbeat or retry: registering resets the TTL anyway.
    this.generation++;
    if (this.timer !== undefined) this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
    const node = { ...this.o.node(), Status: this.status };
    const request: NodeRegisterRequest = { Node: node, Region: this.o.region };
    try {
      const reply = await this.o.rpc.call<NodeUpdateResponse>("Node.Register", request, {
        timeoutMs: RPC_TIMEOUT_MS,
        signal: this.abort.signal,
      });
      this.registering = false;
      if (!this.running) return;
      this.registrations++;
      this.registerFailures = 0;
      this.accept(reply);
      this.o.logger.info("node registration complete", { node_id: node.ID });
      const first = !this.registeredOnce;
      this.registeredOnce = true;
      for (const w of this.registerWaiters.splice(0)) w();
      // First registration: staggered. A node not yet ready heartbeats at once to become
      // ready; a ready node registering again (changed fingerprint) keeps its TTL cadence.
      const delayMs = first
        ? this.o.clock.random() * this.o.initialHeartbeatStaggerMs
        : this.status === "ready"
          ? this.ttlOr(0)
          : 0;
      this.schedule(delayMs, () => this.heartbeat());
      if (this.registerAgain) {
        this.registerAgain = false;
        void this.register();
      }
    } catch (e) {
      this.registerAgain = false;
      this.registering = false;
      if (!this.running) return;
      // -dev: the in-process server is usually electing itself; retry from 100 ms, doubling up
      // to registerRetryMs (1 s), so the node is ready moments after the leader exists.
      const retryMs = this.o.devMode
        ? Math.min(this.o.registerRetryMs, 100 * 2 ** this.registerFailures)
        : this.o.registerRetryMs + this.o.clock.random() * this.o.registerRetryMs;
      this.registerFailures++;
      this.o.logger.error("error registering", { error: messageOf(e), retry_ms: Math.round(retryMs) });
      this.schedule(retryMs, () => this.register());
    }
  }

  private async heartbeat(): Promise<void> {
    const node = this.o.node();
    const request: NodeUpdateStatusRequest = {
      NodeID: node.ID,
      SecretID: node.SecretID,
      Status: "ready",
      Region: this.o.region,
      UpdatedAt: Math.floor(this.o.clock.nowMs() / 1000),
    };
    const generation = this.generation;
    try {
      const reply = await this.o.rpc.call<NodeUpdateResponse>("Node.UpdateStatus", request, {
        timeoutMs: RPC_TIMEOUT_MS,
        signal: this.abort.signal,
      });
      if (!this.running || generation !== this.generation) return;
      this.heartbeats++;
      this.accept(reply);
      if (this.status !== "ready") {
        this.status = "ready";
        this.o.onStatus?.("ready");
      }
      this.schedule(this.ttlOr(this.o.registerRetryMs), () => this.heartbeat());
    } catch (e) {
      if (!this.running || generation !== this.generation) return;
      if (isRpcError(e, "NOT_FOUND") || /node.*not found|unknown node/i.test(messageOf(e))) {
        this.o.logger.warn("server does not know this node: registering again", { node_id: node.ID });
        void this.register();
        return;
      }
      const retryMs = this.heartbeatRetryMs();
      this.o.logger.error("error heartbeating", { error: messageOf(e), retry_ms: Math.round(retryMs) });
      this.schedule(retryMs, () => this.heartbeat());
    }
  }

  private heartbeatRetryMs(): number {
    if (this.o.devMode) return 1_000;
    const leftMs = this.lastHeartbeatMs + this.heartbeatTtlMs - this.o.clock.nowMs();
    if (leftMs < -30_000) return 30_000 + this.o.clock.random() * 30_000;
    if (leftMs < 0) return 1_000 + this.o.clock.random() * 5_000;
    return 1_000 + this.o.clock.random() * Math.min(leftMs, 30_000);
  }

  private ttlOr(fallbackMs: number): number {
    return this.heartbeatTtlMs > 0 ? this.heartbeatTtlMs : fallbackMs;
  }

  private accept(reply: NodeUpdateResponse): void {
    const ttlNs = typeof reply?.HeartbeatTTL === "number" ? reply.HeartbeatTTL : 0;
    if (Number.isFinite(ttlNs) && ttlNs > 0) this.heartbeatTtlMs = ttlNs / NS_PER_MS;
    this.lastHeartbeatMs = this.o.clock.nowMs();
    const servers = Array.isArray(reply?.Servers)
      ? reply.Servers.map((s) => s?.RPCAdvertiseAddr).filter(
          (a): a is string => typeof a === "string" && a !== "",
        )
      : [];
    if (servers.length > 0 && servers.join(",") !== this.knownServers.join(",")) {
      this.knownServers = servers;
      if (hasSetServers(this.o.rpc)) this.o.rpc.setServers(servers);
      this.o.logger.debug("learnt servers", { servers: servers.join(",") });
    }
  }
}

export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
