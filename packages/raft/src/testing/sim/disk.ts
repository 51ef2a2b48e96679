// A node's simulated disk. Writes first land in an unsynced buffer (the page cache); they become
// durable only when the node's Ready is "persisted" (the simulated fsync completes). A crash
// keeps a random prefix of the unsynced writes (a write-ahead log torn at any point) and loses the
// rest. Two views are kept: `durable` (what survives a crash) and `written` (durable + unsynced,
// what the core believes its log is); both are `DiskState`s updated by the same operations.
import type { CoreRestore } from "../../core/api.js";
import type { HardState, LogEntry, SnapshotMeta } from "../../core/types.js";
import type { Prng } from "../prng.js";
import { chainHash, entryHash } from "./hash.js";
import { SimViolation } from "./violation.js";

export type DiskWrite =
  | { readonly type: "hardState"; readonly hardState: HardState }
  | { readonly type: "entries"; readonly entries: readonly LogEntry[] }
  | { readonly type: "snapshot"; readonly meta: SnapshotMeta; readonly data: Uint8Array };

export interface StoredSnapshot {
  readonly meta: SnapshotMeta;
  readonly data: Uint8Array;
}

/** Chain hashes of durable prefixes seen anywhere in the cluster: key "index/term". */
export type PrefixRegistry = Map<string, number>;

/** Unknown chain hash: a snapshot whose prefix nobody recorded (log matching is then not checked past it). */
const UNKNOWN = -1;

export class DiskState {
  hardState: HardState = { term: 0, vote: "" };
  snapshot: StoredSnapshot | undefined = undefined;
  /** Contiguous entries; entries[0].index === firstIndex. */
  entries: LogEntry[] = [];
  /** chains[i] = hash of the whole log prefix ending at entries[i] (UNKNOWN if not known). */
  chains: number[] = [];
  firstIndex = 1;
  /** Chain hash of the prefix just before firstIndex. */
  baseChain = 0;

  constructor(
    private readonly nodeId: string,
    /** Set only for the durable view: durable prefixes are checked against every other node's. */
    private readonly registry: PrefixRegistry | undefined,
  ) {}

  clone(registry: PrefixRegistry | undefined): DiskState {
    const c = new DiskState(this.nodeId, registry);
    c.hardState = this.hardState;
    c.snapshot = this.snapshot;
    c.entries = this.entries.slice();
    c.chains = this.chains.slice();
    c.firstIndex = this.firstIndex;
    c.baseChain = this.baseChain;
    return c;
  }

  get lastIndex(): number {
    return this.firstIndex + this.entries.length - 1;
  }

  isEmpty(): boolean {
    return this.hardState.term === 0 && this.entries.length === 0 && this.snapshot === undefined;
  }

  /** The term of the entry at `index`, or undefined if the log does not hold it (compacted or beyond). */
  termAt(index: number): number | undefined {
    if (index === this.firstIndex - 1) {
      if (this.snapshot !== undefined && this.snapshot.meta.index === index) return this.snapshot.meta.term;
      if (index === 0) return 0;
      return undefined;
    }
    return this.entries[index - this.firstIndex]?.term;
  }

  entryAt(index: number): LogEntry | undefined {
    return this.entries[index - this.firstIndex];
  }

  apply(write: DiskWrite): void {
    switch (write.type) {
      case "hardState":
        this.hardState = write.hardState;
        return;
      case "entries":
        this.appendEntries(write.entries);
        return;
      case "snapshot":
        this.installSnapshot(write.meta, write.data);
        return;
    }
  }

  private appendEntries(entries: readonly LogEntry[]): void {
    const first = entries[0];
    if (first === undefined) return;
    if (first.index < this.firstIndex || first.index > this.lastIndex + 1) {
      throw new SimViolation(
        "driver-contract",
        `${this.nodeId} was asked to persist entries from ${first.index} but its log holds ` +
          `[${this.firstIndex}, ${this.lastIndex}] (a gap or a write below the snapshot)`,
      );
    }
    // A follower overwriting a conflicting suffix: drop everything from the first new index on.
    const keep = first.index - this.firstIndex;
    this.entries.length = keep;
    this.chains.length = keep;
    let prev = keep === 0 ? this.baseChain : (this.chains[keep - 1] as number);
    let expected = first.index;
    for (const entry of entries) {
      if (entry.index !== expected) {
        throw new SimViolation(
          "driver-contract",
          `${this.nodeId}: Ready.entries not contiguous at ${entry.index}`,
        );
      }
      expected++;
      const chain = prev === UNKNOWN ? UNKNOWN : chainHash(prev, entry.index, entryHash(entry));
      this.entries.push(entry);
      this.chains.push(chain);
      if (this.registry !== undefined && chain !== UNKNOWN) this.checkPrefix(entry.index, entry.term, chain);
      prev = chain;
    }
  }

  /** Log matching (5.3): two durable logs with an entry of the same index and term agree up to it. */
  private checkPrefix(index: number, term: number, chain: number): void {
    const registry = this.registry as PrefixRegistry;
    const key = `${index}/${term}`;
    const known = registry.get(key);
    if (known === undefined) registry.set(key, chain);
    else if (known !== chain) {
      throw new SimViolation(
        "log-matching",
        `${this.nodeId}'s durable log has entry ${index} of term ${term}, like another node's, ` +
          `but the logs differ at or before that index`,
      );
    }
  }

  /** A snapshot received from the leader (or written locally): it replaces the log up to meta.index. */
  installSnapshot(meta: SnapshotMeta, data: Uint8Array): void {
    const base =
      this.chainAt(meta.index, meta.term) ?? this.registry?.get(`${meta.index}/${meta.term}`) ?? UNKNOWN;
    if (this.termAt(meta.index) === meta.term && meta.index >= this.firstIndex) {
      // The log already continues the snapshot: keep what follows it (etcd/raft's rule).
      const drop = meta.index - this.firstIndex + 1;
      this.entries.splice(0, drop);
      this.chains.splice(0, drop);
    } else {
      this.entries = [];
      this.chains = [];
    }
    this.firstIndex = meta.index + 1;
    this.baseChain = base;
    this.snapshot = { meta, data };
  }

  /** Drops entries up to `index` (after a local snapshot), keeping the rest. */
  compact(index: number): void {
    if (index < this.firstIndex) return;
    const drop = Math.min(index - this.firstIndex + 1, this.entries.length);
    if (drop <= 0) return;
    this.baseChain = this.chains[drop - 1] as number;
    this.entries.splice(0, drop);
    this.chains.splice(0, drop);
    this.firstIndex += drop;
  }

  private chainAt(index: number, term: number): number | undefined {
    if (this.termAt(index) !== term) return undefined;
    if (index === this.firstIndex - 1) return this.baseChain === UNKNOWN ? undefined : this.baseChain;
    const c = this.chains[index - this.firstIndex];
    return c === undefined || c === UNKNOWN ? undefined : c;
  }
}

export class SimDisk {
  durable: DiskState;
  written: DiskState;
  private unsynced: DiskWrite[] = [];

  constructor(
    readonly nodeId: string,
    registry: PrefixRegistry,
  ) {
    this.durable = new DiskState(nodeId, registry);
    this.written = new DiskState(nodeId, undefined);
  }

  write(w: DiskWrite): void {
    this.written.apply(w);
    this.unsynced.push(w);
  }

  /** fsync: everything written so far becomes durable. */
  sync(): void {
    for (const w of this.unsynced) this.durable.apply(w);
    this.unsynced = [];
  }

  /** Loses power: a random prefix of the unsynced writes made it to the platter. Returns how many. */
  crash(rng: Prng): number {
    const survive = rng.int(this.unsynced.length + 1);
    for (let i = 0; i < survive; i++) this.durable.apply(this.unsynced[i] as DiskWrite);
    this.unsynced = [];
    this.written = this.durable.clone(undefined);
    return survive;
  }

  /** A snapshot the driver took itself: written and synced before the log is compacted. */
  writeLocalSnapshot(meta: SnapshotMeta, data: Uint8Array, compactTo: number): void {
    if (this.unsynced.length > 0) throw new Error("sim: local snapshot while a Ready is being persisted");
    for (const view of [this.durable, this.written]) {
      // The log keeps its trailing entries: record the snapshot, then compact to `compactTo`.
      view.snapshot = { meta, data };
      view.compact(compactTo);
    }
  }

  /** What a restarted node recovers: durable state only. */
  restore(): CoreRestore {
    const d = this.durable;
    const snapIndex = d.snapshot?.meta.index ?? 0;
    return {
      hardState: d.hardState,
      snapshot: d.snapshot?.meta,
      entries: d.entries.filter((e) => e.index > snapIndex),
    };
  }
}
