// The simulation of one seed: N nodes on a virtual clock, a faulty network, crashing disks, clients
// recording a history. Safety phase (nemesis on) then liveness phase (all healed: a leader must
// appear and a proposal must commit everywhere within a bound), then the history is checked for
// linearizability. Every invariant is checked after every event; the first violation ends the run.
import type { CoreConfig } from "../../core/api.js";
import type { Message } from "../../core/messages.js";
import type { Configuration, LogEntry, NodeId } from "../../core/types.js";
import { checkLinearizability } from "../linearizability/check.js";
import { kvModel, type KvOutput } from "../linearizability/kv-model.js";
import { Prng } from "../prng.js";
import { EventQueue } from "./event-queue.js";
import { drawFaultProfile, Nemesis, type FaultProfile } from "./faults.js";
import { InvariantChecker } from "./invariants.js";
import { LivenessProbe } from "./liveness.js";
import { HEALTHY_NETWORK, SimNetwork } from "./network.js";
import { Operator } from "./operator.js";
import { runScriptStep, type ScriptHost } from "./script.js";
import { replayCommand, type SimOptions } from "./options.js";
import { SimNode, type NodeHost, type NodeTuning } from "./sim-node.js";
import { SimViolation, type InvariantName } from "./violation.js";
import { Workload } from "./workload.js";

export interface SimStats {
  events: number;
  virtualMs: number;
  leaderElections: number;
  crashes: number;
  nemesisActions: number;
  messagesSent: number;
  messagesLost: number;
  highestCommitted: number;
  opsCompleted: number;
  opsUnknown: number;
  historyLength: number;
  livenessMs: number | undefined;
}

export interface SimResult {
  readonly seed: number;
  readonly nodes: number;
  readonly ok: boolean;
  readonly violation:
    { readonly invariant: InvariantName; readonly message: string; readonly atMs: number } | undefined;
  /** The command that replays this run. */
  readonly replay: string;
  readonly stats: SimStats;
  readonly profile: FaultProfile;
}

function describeMessage(m: Message): string {
  const { from, to, type, term, ...rest } = m;
  const fields = Object.entries(rest)
    .map(([k, v]) => {
      if (k === "entries" && Array.isArray(v)) {
        const es = v as LogEntry[];
        return es.length === 0 ? "entries=[]" : `entries=[${es[0]?.index}..${es[es.length - 1]?.index}]`;
      }
      if (v instanceof Uint8Array) return `${k}=<${v.length}B>`;
      if (k === "meta" && typeof v === "object" && v !== null) {
        const meta = v as { index: number; term: number };
        return `meta=${meta.index}/${meta.term}`;
      }
      return `${k}=${String(v)}`;
    })
    .join(" ");
  return `${from}->${to} ${type} t${term} ${fields}`;
}

export function runSimulation(options: SimOptions): SimResult {
  return new Simulation(options).run();
}

class Simulation {
  private now = 0;
  private readonly queue = new EventQueue();
  private readonly rng: Prng;
  private readonly invariants = new InvariantChecker();
  private readonly network: SimNetwork;
  private readonly nodes = new Map<NodeId, SimNode>();
  private readonly ids: NodeId[];
  private readonly profile: FaultProfile;
  private readonly nemesis: Nemesis;
  private readonly workload: Workload;
  private readonly probe: LivenessProbe;
  private readonly operator: Operator;
  private readonly tickPeriodMs = new Map<NodeId, number>();
  private events = 0;
  /** Nodes to crash at their next unsynced write, with how long they stay down. */
  private readonly armedCrashes = new Map<NodeId, number>();
  private finished = false;

  constructor(private readonly options: SimOptions) {
    this.rng = new Prng(options.seed);
    const profileRng = this.rng.fork();
    const netRng = this.rng.fork();
    const nemesisRng = this.rng.fork();
    const clientRng = this.rng.fork();
    const tuningRng = this.rng.fork();
    const operatorRng = this.rng.fork();
    this.ids = Array.from({ length: options.nodes }, (_, i) => `n${i + 1}`);
    this.profile = drawFaultProfile(profileRng, options.nodes);
    this.network = new SimNetwork(
      netRng,
      (delay, run) => this.schedule(delay, run),
      (m) => this.deliver(m),
    );
    const tuning = this.drawTuning(tuningRng);
    const host = this.nodeHost();
    for (const id of this.ids) {
      const rate = 1 + tuningRng.between(-options.clockSkew, options.clockSkew);
      this.tickPeriodMs.set(id, options.tickMs / rate);
      this.nodes.set(
        id,
        new SimNode(
          id,
          host,
          this.invariants,
          options.createCore,
          tuning,
          this.rng.fork(),
          this.invariants.prefixes,
        ),
      );
    }
    this.nemesis = new Nemesis(
      {
        now: () => this.now,
        schedule: (d, run) => this.schedule(d, run),
        nodeIds: () => this.ids,
        isUp: (id) => this.node(id).alive,
        hasUnsynced: (id) => this.node(id).persisting,
        leader: () => this.currentLeader(),
        crash: (id) => this.crash(id),
        restart: (id) => this.restart(id),
        armCrashOnWrite: (id, downMs) => this.armedCrashes.set(id, downMs),
        pause: (id) => this.node(id).pause(),
        resume: (id) => this.node(id).resume(),
        log: (line) => this.log(line),
      },
      this.network,
      nemesisRng,
      this.profile,
    );
    this.workload = new Workload(
      {
        now: () => this.now,
        schedule: (d, run) => this.schedule(d, run),
        node: (id) => this.node(id),
        nodeIds: () => this.ids,
        touched: (node) => node.afterEvent(),
      },
      clientRng,
      {
        clients: options.clients,
        keys: options.keys,
        thinkMaxMs: 20,
        retryMs: 30,
        timeoutMs: 1_000,
        localReads: options.brokenDriver.localReads === true,
      },
    );
    this.operator = new Operator(
      {
        schedule: (d, run) => this.schedule(d, run),
        nodes: () => this.ids.map((id) => this.node(id)),
        leader: () => {
          const id = this.currentLeader();
          return id === undefined ? undefined : this.node(id);
        },
        log: (line) => this.log(line),
      },
      operatorRng,
      {
        membership: options.features.membership,
        transfers: options.features.transfers,
        gapMinMs: 100,
        gapMaxMs: 1_000,
      },
    );
    this.probe = new LivenessProbe(
      () => this.now,
      () => this.ids.map((id) => this.node(id)),
      (line) => this.log(line),
      (leader) => this.operator.restoreMembership(leader),
    );
  }

  private drawTuning(rng: Prng): NodeTuning {
    const checkQuorum = rng.chance(0.7) || this.options.features.leaseReads;
    const coreConfig: Omit<CoreConfig, "id" | "random" | "snapshots"> = {
      heartbeatTicks: rng.range(1, 2),
      electionTicks: 10,
      electionJitterTicks: 10,
      leaderLeaseTicks: 8,
      commitTicks: 1,
      preVote: rng.chance(0.7),
      checkQuorum,
      leaseReads: this.options.features.leaseReads && checkQuorum && rng.chance(0.3),
      maxAppendEntries: rng.pick([1, 4, 16, 64]),
      maxInflightAppends: rng.pick([1, 2, 8]),
      maxInflightBytes: rng.pick([512, 65_536, 1_048_576]),
      snapshotChunkBytes: rng.pick([16, 64, 1_024]),
      maxSnapshotBytes: 16 * 1_048_576,
    };
    const bootstrap: Configuration = {
      servers: this.ids.map((id) => ({ id, address: id, suffrage: "voter" as const })),
    };
    return {
      coreConfig,
      bootstrap,
      snapshotEvery: this.options.features.snapshots ? rng.pick([10, 30, 100]) : 0,
      trailingLogs: rng.pick([0, 5, 50]),
      fsyncMinMs: 0.05,
      fsyncMaxMs: rng.pick([0.2, 1, 5, 20]),
      sendBeforeSync: this.options.brokenDriver.sendBeforeSync,
      snapshotRetention: Math.max(1, this.options.snapshotRetention),
    };
  }

  private nodeHost(): NodeHost {
    return {
      now: () => this.now,
      schedule: (d, run) => this.schedule(d, run),
      send: (m) => this.network.send(m),
      applied: (node, entry, output) => this.applied(node, entry, output),
      readReady: (node, id) => this.workload.readReady(node, id),
      readFailed: (node, id) => this.workload.readFailed(node, id),
      wroteUnsynced: (node) => this.maybeCrashMidWrite(node),
      log: (line) => this.log(line),
    };
  }

  private node(id: NodeId): SimNode {
    const n = this.nodes.get(id);
    if (n === undefined) throw new Error(`sim: unknown node ${id}`);
    return n;
  }

  private schedule(delayMs: number, run: () => void): void {
    this.queue.push(this.now + delayMs, run);
  }

  private log(line: string): void {
    this.options.log?.(`[${this.now.toFixed(2).padStart(9)}ms] ${line}`);
  }

  private deliver(m: Message): void {
    const node = this.nodes.get(m.to);
    if (node === undefined || !node.alive) return;
    if (this.options.traceMessages) this.log(`deliver ${describeMessage(m)}`);
    node.deliver(m);
    node.afterEvent();
  }

  private applied(node: SimNode, entry: LogEntry, output: KvOutput | undefined): void {
    this.workload.applied(node, entry, output);
    this.probe.applied(node, entry);
  }

  private startTicking(node: SimNode): void {
    const epoch = node.epoch;
    const period = this.tickPeriodMs.get(node.id) as number;
    const loop = (): void => {
      if (node.epoch !== epoch || this.finished) return;
      node.tick();
      node.afterEvent();
      this.schedule(period, loop);
    };
    // Nodes start out of phase with each other.
    this.schedule(this.rng.between(0, period), loop);
  }

  private maybeCrashMidWrite(node: SimNode): void {
    const downMs = this.armedCrashes.get(node.id);
    if (downMs === undefined) return;
    this.armedCrashes.delete(node.id);
    // Zero delay: before the fsync (which takes at least fsyncMinMs) completes.
    this.schedule(0, () => {
      if (!node.alive || !node.persisting) return;
      this.log(`nemesis: crash ${node.id} in the middle of a write`);
      this.nemesis.crashFor(node.id, downMs);
    });
  }

  private scriptHost(): ScriptHost {
    return {
      nodeIds: () => this.ids,
      leader: () => this.currentLeader(),
      partition: (a, b) => this.network.partition(a, b),
      cutOneWay: (from, to) => this.network.cutOneWay(from, to),
      isolate: (node) => this.network.isolate(node, this.ids),
      heal: () => this.network.heal(),
      crash: (node) => this.crash(node),
      armCrashOnWrite: (node, downMs) => this.armedCrashes.set(node, downMs),
      restart: (node) => this.restart(node),
      pause: (node) => this.node(node).pause(),
      resume: (node) => this.node(node).resume(),
      log: (line) => this.log(line),
    };
  }

  private crash(id: NodeId): void {
    const node = this.node(id);
    if (!node.alive) return;
    node.crash();
    this.workload.crashed(node);
  }

  private restart(id: NodeId): void {
    const node = this.node(id);
    if (node.alive) return;
    node.start();
    this.log(`${id} restarted (term ${node.status()?.term}, commit ${node.status()?.commitIndex})`);
    node.afterEvent();
    this.startTicking(node);
  }

  private currentLeader(): NodeId | undefined {
    let best: { id: NodeId; term: number } | undefined;
    for (const node of this.nodes.values()) {
      const s = node.status();
      if (s?.role === "leader" && (best === undefined || s.term > best.term))
        best = { id: node.id, term: s.term };
    }
    return best?.id;
  }

  run(): SimResult {
    const o = this.options;
    let violation: SimResult["violation"];
    try {
      for (const node of this.nodes.values()) {
        node.start();
        node.afterEvent();
        this.startTicking(node);
      }
      if (o.script === undefined) {
        this.nemesis.start();
        this.operator.start();
      } else {
        this.network.quality = this.profile.network;
        for (const step of o.script)
          this.schedule(step.atMs, () => runScriptStep(this.scriptHost(), step.action));
      }
      this.workload.start();
      this.schedule(o.safetyMs, () => {
        this.log("safety phase over");
        this.nemesis.stopAndHeal(HEALTHY_NETWORK);
        this.operator.stop();
        this.armedCrashes.clear();
        this.probe.start((d, run) => this.schedule(d, run));
      });
      const deadline = o.safetyMs + o.livenessBoundMs;
      while (!this.finished) {
        const ev = this.queue.pop();
        if (ev === undefined) throw new SimViolation("liveness", "the simulation ran out of events");
        this.now = ev.time;
        if (++this.events > o.maxEvents) {
          throw new SimViolation("liveness", `more than ${o.maxEvents} events (livelock?)`);
        }
        ev.run();
        if (this.probe.doneAt !== undefined && this.now >= this.probe.doneAt + 100) this.finished = true;
        else if (this.now > deadline && this.probe.doneAt === undefined) {
          throw new SimViolation(
            "liveness",
            `no leader committed a proposal on every node within ${o.livenessBoundMs}ms of healing: ${this.probe.describe()}`,
          );
        }
      }
      this.workload.stop();
      const lin = checkLinearizability(kvModel, this.workload.history);
      if (!lin.ok) throw new SimViolation("linearizability", lin.message);
    } catch (err) {
      if (err instanceof SimViolation) {
        violation = { invariant: err.invariant, message: err.message, atMs: this.now };
      } else {
        const e = err as Error;
        violation = {
          invariant: "core-exception",
          message: `core-exception: the core (or the driver) threw: ${e.stack ?? String(e)}`,
          atMs: this.now,
        };
      }
      this.log(`VIOLATION ${violation.message}`);
    }
    const net = this.network.stats;
    let crashes = 0;
    for (const node of this.nodes.values()) crashes += node.crashes;
    return {
      seed: o.seed,
      nodes: o.nodes,
      ok: violation === undefined,
      violation,
      replay: replayCommand(o),
      profile: this.profile,
      stats: {
        events: this.events,
        virtualMs: Math.round(this.now),
        leaderElections: this.invariants.leaderElections,
        crashes,
        nemesisActions: this.nemesis.actions,
        messagesSent: net.sent,
        messagesLost: net.lost + net.cut,
        highestCommitted: this.invariants.highestCommitted,
        opsCompleted: this.workload.stats.completed,
        opsUnknown: this.workload.stats.unknown,
        historyLength: this.workload.history.length,
        livenessMs: this.probe.doneAt === undefined ? undefined : Math.round(this.probe.doneAt - o.safetyMs),
      },
    };
  }
}
