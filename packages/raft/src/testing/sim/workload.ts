// The clients of the simulation: each issues one operation at a time (put, get, cas, delete on a
// few keys) to the node it believes leads, follows NOT_LEADER hints, retries what certainly did
// not happen, and records what it observed for the linearizability checker. Writes go through
// the log; reads through ReadIndex. An operation whose fate the client cannot know (timeout, the
// node crashed) is recorded with no output: it may or may not have taken effect.
import type { LogEntry, NodeId } from "../../core/types.js";
import type { KvInput, KvOutput } from "../linearizability/kv-model.js";
import type { Operation } from "../linearizability/history.js";
import type { Prng } from "../prng.js";
import { encodeCommand } from "./kv-fsm.js";
import type { SimNode } from "./sim-node.js";

export interface WorkloadHost {
  now(): number;
  schedule(delayMs: number, run: () => void): void;
  node(id: NodeId): SimNode;
  nodeIds(): readonly NodeId[];
  /** Process the node's Ready and check invariants after a call into its core. */
  touched(node: SimNode): void;
}

export interface WorkloadTuning {
  readonly clients: number;
  readonly keys: number;
  readonly thinkMaxMs: number;
  readonly retryMs: number;
  readonly timeoutMs: number;
  /** Broken on purpose (SimOptions.brokenDriver): read the node's state machine, no ReadIndex. */
  readonly localReads: boolean;
}

type MutableOp = { -readonly [K in keyof Operation<KvInput, KvOutput>]: Operation<KvInput, KvOutput>[K] };

interface Waiting {
  readonly client: number;
  readonly node: NodeId;
  readonly op: MutableOp;
  /** For writes: the term in which the entry was proposed (another term at that index = lost). */
  readonly term: number;
  done: boolean;
}

export interface WorkloadStats {
  completed: number;
  unknown: number;
  rejected: number;
}

export class Workload {
  readonly history: MutableOp[] = [];
  readonly stats: WorkloadStats = { completed: 0, unknown: 0, rejected: 0 };
  private stopped = false;
  private stamp = 0;
  private nextRequestId = 1;
  private readonly guess: NodeId[] = [];
  private readonly clientSeq: number[] = [];
  /** Writes waiting to be applied, by "node:index". */
  private readonly writes = new Map<string, Waiting>();
  /** Reads waiting for their ReadState, by request id. */
  private readonly reads = new Map<number, Waiting>();

  constructor(
    private readonly host: WorkloadHost,
    private readonly rng: Prng,
    private readonly tuning: WorkloadTuning,
  ) {}

  start(): void {
    for (let c = 0; c < this.tuning.clients; c++) {
      this.guess.push(this.rng.pick(this.host.nodeIds()));
      this.clientSeq.push(0);
      this.host.schedule(this.rng.between(0, this.tuning.thinkMaxMs), () => this.issue(c));
    }
  }

  /** No new operations; whatever is still outstanding is recorded as unknown. */
  stop(): void {
    this.stopped = true;
    for (const w of [...this.writes.values(), ...this.reads.values()]) this.giveUp(w);
    this.writes.clear();
    this.reads.clear();
  }

  /** Logical timestamps: the event order is total, so a counter preserves real-time order exactly. */
  private tick(): number {
    return ++this.stamp;
  }

  private issue(client: number): void {
    if (this.stopped) return;
    const seq = ++this.clientSeq[client]!;
    const key = `k${this.rng.int(this.tuning.keys)}`;
    const roll = this.rng.int(100);
    let input: KvInput;
    if (roll < 40) input = { op: "get", key };
    else if (roll < 70) input = { op: "put", key, value: `c${client}.${seq}` };
    else if (roll < 90) {
      // Half the time expect a value this client wrote before, so cas both succeeds and fails.
      const from = this.rng.chance(0.3)
        ? null
        : `c${this.rng.int(this.tuning.clients)}.${this.rng.range(1, seq)}`;
      input = { op: "cas", key, from, to: `c${client}.${seq}` };
    } else input = { op: "delete", key };
    this.attempt(client, input);
  }

  private attempt(client: number, input: KvInput): void {
    if (this.stopped) return;
    const node = this.host.node(this.guess[client] as NodeId);
    const core = node.core;
    if (core === undefined || node.paused) {
      // Down or stopped: the request would time out at the transport; try elsewhere.
      this.retry(client, input, undefined);
      return;
    }
    const op: MutableOp = {
      clientId: client,
      input,
      output: undefined,
      callTime: this.tick(),
      returnTime: undefined,
    };
    if (input.op === "get" && this.tuning.localReads) {
      this.history.push(op);
      this.complete(
        { client, node: node.id, op, term: 0, done: false },
        { op: "get", value: node.read(input.key) },
      );
      return;
    }
    if (input.op === "get") {
      const requestId = this.nextRequestId++;
      const w: Waiting = { client, node: node.id, op, term: 0, done: false };
      this.reads.set(requestId, w);
      core.readIndex(requestId);
      this.armTimeout(w, () => this.reads.delete(requestId));
      this.host.touched(node);
      return;
    }
    const result = core.propose(encodeCommand(input));
    if (!result.ok) {
      this.stats.rejected++;
      this.retry(client, input, result.leader);
      this.host.touched(node);
      return;
    }
    this.history.push(op);
    const w: Waiting = { client, node: node.id, op, term: result.term, done: false };
    const key = `${node.id}:${result.index}`;
    this.writes.set(key, w);
    this.armTimeout(w, () => this.writes.delete(key));
    this.host.touched(node);
  }

  private retry(client: number, input: KvInput, leaderHint: NodeId | undefined): void {
    this.guess[client] = leaderHint ?? this.rng.pick(this.host.nodeIds());
    this.host.schedule(this.rng.between(1, this.tuning.retryMs), () => this.attempt(client, input));
  }

  private armTimeout(w: Waiting, forget: () => void): void {
    this.host.schedule(this.tuning.timeoutMs, () => {
      if (w.done) return;
      forget();
      this.giveUp(w);
      this.next(w.client);
    });
  }

  /** The outcome is unknown: a write stays in the history without output; a read is dropped. */
  private giveUp(w: Waiting): void {
    if (w.done) return;
    w.done = true;
    this.stats.unknown++;
    // Rotate away from a node that does not answer.
    this.guess[w.client] = this.rng.pick(this.host.nodeIds());
  }

  private complete(w: Waiting, output: KvOutput): void {
    w.done = true;
    w.op.output = output;
    w.op.returnTime = this.tick();
    this.stats.completed++;
    this.next(w.client);
  }

  private next(client: number): void {
    this.host.schedule(this.rng.between(0, this.tuning.thinkMaxMs), () => this.issue(client));
  }

  /** A node applied an entry: if a client waits on that node and index, it learns the outcome. */
  applied(node: SimNode, entry: LogEntry, output: KvOutput | undefined): void {
    if (this.writes.size === 0) return;
    const key = `${node.id}:${entry.index}`;
    const w = this.writes.get(key);
    if (w === undefined) return;
    this.writes.delete(key);
    if (w.done) return;
    if (entry.term === w.term && output !== undefined) {
      this.complete(w, output);
      return;
    }
    // Another entry was committed at that index: this proposal can never be applied. Drop it
    // from the history (it did not happen) and retry.
    w.done = true;
    this.history.splice(this.history.indexOf(w.op), 1);
    this.retry(w.client, w.op.input, node.status()?.leader);
  }

  readReady(node: SimNode, requestId: number): void {
    const w = this.reads.get(requestId);
    if (w === undefined || w.node !== node.id) return;
    this.reads.delete(requestId);
    if (w.done) return;
    this.history.push(w.op);
    const key = w.op.input.key;
    this.complete(w, { op: "get", value: node.read(key) });
  }

  readFailed(node: SimNode, requestId: number): void {
    const w = this.reads.get(requestId);
    if (w === undefined || w.node !== node.id) return;
    this.reads.delete(requestId);
    if (w.done) return;
    w.done = true;
    this.stats.rejected++;
    this.retry(w.client, w.op.input, node.status()?.leader);
  }

  /** The node lost its memory: everything waiting on it has an unknown outcome. */
  crashed(node: SimNode): void {
    for (const [key, w] of this.writes) {
      if (w.node !== node.id) continue;
      this.writes.delete(key);
      this.giveUp(w);
      this.next(w.client);
    }
    for (const [id, w] of this.reads) {
      if (w.node !== node.id) continue;
      this.reads.delete(id);
      this.giveUp(w);
      this.next(w.client);
    }
  }
}
