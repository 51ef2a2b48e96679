// The in-memory Raft log: a window of entries [firstIndex, lastIndex] over a snapshot, plus the
// markers the Ready loop needs (what was handed out for persistence, what is durable, what is
// committed, what was handed out for applying, what is applied). Appends push; a follower's
// conflicting suffix is cut by setting the length; only compaction moves entries (rarely, once
// per snapshot), so no per-entry shifting happens.
import type { LogEntry, SnapshotMeta } from "./types.js";

export class RaftLog {
  private entries: LogEntry[] = [];
  /** Index of entries[0]; entries.length === 0 means the log is empty after `prevIndex`. */
  private offset = 1;
  /** The index just before the first in-memory entry and its term (undefined if unknown). */
  private prevIndex = 0;
  private prevTerm: number | undefined = 0;
  snapshotIndex = 0;
  snapshotTerm = 0;
  committed = 0;
  applied = 0;
  /** Last index whose durability advance() confirmed. */
  stable = 0;
  /** Last index handed to the driver in a Ready for persistence. */
  handedOut = 0;
  /** Last committed index handed to the driver in a Ready for applying. */
  applyHandedOut = 0;

  constructor(snapshot: SnapshotMeta | undefined, entries: readonly LogEntry[]) {
    if (snapshot !== undefined) {
      this.snapshotIndex = snapshot.index;
      this.snapshotTerm = snapshot.term;
      this.prevIndex = snapshot.index;
      this.prevTerm = snapshot.term;
      this.offset = snapshot.index + 1;
      this.committed = this.applied = this.applyHandedOut = snapshot.index;
    }
    const first = entries[0];
    if (first !== undefined && first.index <= this.snapshotIndex) {
      // The store kept trailing entries before the snapshot: keep them for slow followers.
      this.prevIndex = first.index - 1;
      this.prevTerm =
        this.prevIndex === 0 ? 0 : this.prevIndex === this.snapshotIndex ? this.snapshotTerm : undefined;
      this.offset = first.index;
    }
    let before = this.prevTerm ?? 0;
    for (const e of entries) {
      if (e.index !== this.offset + this.entries.length)
        throw new Error("raft: restored log is not contiguous");
      // A suffix that does not chain onto the snapshot (the follower discarded its log when it
      // installed the snapshot, the store kept it) must not survive, or this node could vote unsafely.
      if (e.index === this.snapshotIndex && e.term !== this.snapshotTerm) break;
      if (e.index === this.snapshotIndex + 1 && e.term < this.snapshotTerm) break;
      if (e.term < before) throw new Error("raft: restored log has decreasing terms");
      this.entries.push(e);
      before = e.term;
    }
    if (this.lastIndex() < this.snapshotIndex) {
      // Entries ended before the snapshot: the log restarts at the snapshot.
      this.entries = [];
      this.offset = this.snapshotIndex + 1;
      this.prevIndex = this.snapshotIndex;
      this.prevTerm = this.snapshotTerm;
    }
    this.stable = this.handedOut = this.lastIndex();
  }

  firstIndex(): number {
    return this.offset;
  }

  lastIndex(): number {
    return this.offset + this.entries.length - 1;
  }

  lastTerm(): number {
    const last = this.entries[this.entries.length - 1];
    if (last !== undefined) return last.term;
    return this.prevTerm ?? this.snapshotTerm;
  }

  /** The term of `index`, or undefined when it is compacted away or beyond the end. */
  term(index: number): number | undefined {
    if (index >= this.offset) return this.entries[index - this.offset]?.term;
    if (index === this.prevIndex) return this.prevTerm;
    if (index === this.snapshotIndex) return this.snapshotTerm;
    if (index === 0) return 0;
    return undefined;
  }

  entry(index: number): LogEntry | undefined {
    return index >= this.offset ? this.entries[index - this.offset] : undefined;
  }

  /** Entries lo..hi inclusive (both in memory). */
  slice(lo: number, hi: number): LogEntry[] {
    if (hi < lo) return [];
    if (lo < this.offset || hi > this.lastIndex())
      throw new Error(`raft: log slice ${lo}..${hi} out of range`);
    return this.entries.slice(lo - this.offset, hi - this.offset + 1);
  }

  /** Up to `maxCount` entries from `lo`, stopping before `maxBytes` (at least one entry). */
  sliceBounded(lo: number, maxCount: number, maxBytes: number): LogEntry[] {
    const hi = Math.min(this.lastIndex(), lo + maxCount - 1);
    if (hi < lo) return [];
    let bytes = 0;
    let end = lo;
    for (; end <= hi; end++) {
      bytes += entryBytes(this.entries[end - this.offset]!);
      if (bytes > maxBytes && end > lo) break;
    }
    return this.entries.slice(lo - this.offset, end - this.offset);
  }

  append(entry: LogEntry): void {
    if (entry.index !== this.lastIndex() + 1) throw new Error("raft: append out of order");
    this.entries.push(entry);
  }

  /** Drops every entry from `index` on (a follower overwriting a conflicting, uncommitted suffix). */
  truncateFrom(index: number): void {
    if (index <= this.committed) throw new Error(`raft: truncating committed entry ${index}`);
    if (index < this.offset) throw new Error("raft: truncating below the in-memory log");
    this.entries.length = index - this.offset;
    if (this.handedOut >= index) this.handedOut = index - 1;
    if (this.stable >= index) this.stable = index - 1;
  }

  /** Largest index <= `index` whose term is <= `term` (etcd's findConflictByTerm, for backtracking). */
  findConflictByTerm(index: number, term: number): number {
    let i = Math.min(index, this.lastIndex());
    for (; i >= this.offset; i--) {
      if (this.entries[i - this.offset]!.term <= term) return i;
    }
    return i;
  }

  /** The driver reports entries up to `index` (of `term`) durable. */
  stableTo(index: number, term: number): void {
    if (this.term(index) === term && index > this.stable) this.stable = index;
  }

  /** Drops in-memory entries up to and including `index` (never past what is applied). */
  compactTo(index: number): void {
    const upTo = Math.min(index, this.applied, this.lastIndex());
    if (upTo < this.offset) return;
    const term = this.term(upTo);
    this.entries.splice(0, upTo - this.offset + 1);
    this.offset = upTo + 1;
    this.prevIndex = upTo;
    this.prevTerm = term;
  }

  /** Installs a snapshot received from a leader; keeps a suffix that agrees with it (7). */
  restoreSnapshot(meta: SnapshotMeta): void {
    const keep = this.term(meta.index) === meta.term && meta.index <= this.lastIndex();
    if (keep && meta.index >= this.offset) {
      this.entries.splice(0, meta.index - this.offset + 1);
    } else {
      this.entries = [];
    }
    this.offset = meta.index + 1;
    this.prevIndex = meta.index;
    this.prevTerm = meta.term;
    this.snapshotIndex = meta.index;
    this.snapshotTerm = meta.term;
    this.committed = Math.max(this.committed, meta.index);
    this.applied = Math.max(this.applied, meta.index);
    this.applyHandedOut = Math.max(this.applyHandedOut, meta.index);
    this.stable = Math.max(Math.min(this.stable, this.lastIndex()), meta.index);
    this.handedOut = Math.max(Math.min(this.handedOut, this.lastIndex()), meta.index);
  }

  /** Records a snapshot the driver took locally (nothing dropped; see compactTo). */
  setSnapshot(meta: SnapshotMeta): void {
    if (meta.index <= this.snapshotIndex) return;
    this.snapshotIndex = meta.index;
    this.snapshotTerm = meta.term;
  }

  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const myTerm = this.lastTerm();
    return lastTerm > myTerm || (lastTerm === myTerm && lastIndex >= this.lastIndex());
  }
}

/** Approximate wire size of an entry, for byte-bounded batches and in-flight windows. */
export function entryBytes(entry: LogEntry): number {
  return entry.data.byteLength + 24;
}
