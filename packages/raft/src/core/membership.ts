// Which configuration is in force. As in hashicorp/raft, a configuration entry takes effect as soon
// as it is appended (not when committed); the last committed one is kept so that a follower that
// loses an uncommitted configuration entry to a new leader falls back to the right membership.
import { decodeConfiguration, EMPTY_CONFIGURATION, isVoter, voterIds } from "./configuration.js";
import type { RaftLog } from "./raft-log.js";
import type { Configuration, LogEntry, NodeId, SnapshotMeta } from "./types.js";

export class Membership {
  latest: Configuration = EMPTY_CONFIGURATION;
  latestIndex = 0;
  committed: Configuration = EMPTY_CONFIGURATION;
  committedIndex = 0;
  /** Voter ids of `latest`, cached: quorum is computed on every acknowledgement. */
  voters: NodeId[] = [];

  constructor(private readonly onChange: (configuration: Configuration, index: number) => void) {}

  /** Start-up: the snapshot's configuration, then any configuration entries in the restored log. */
  restore(snapshot: SnapshotMeta | undefined, entries: readonly LogEntry[]): void {
    if (snapshot !== undefined) {
      this.latest = this.committed = snapshot.configuration;
      this.latestIndex = this.committedIndex = snapshot.configurationIndex;
    }
    for (const e of entries) {
      if (e.type === "configuration" && e.index > this.latestIndex)
        this.set(decodeConfiguration(e.data), e.index, false);
    }
    this.voters = voterIds(this.latest);
  }

  /** An entry was appended to the log (by a leader, a follower, or bootstrap). */
  appended(entry: LogEntry): void {
    if (entry.type === "configuration") this.set(decodeConfiguration(entry.data), entry.index, true);
  }

  setLatest(configuration: Configuration, index: number): void {
    this.set(configuration, index, true);
  }

  committedTo(commitIndex: number): void {
    if (this.latestIndex <= commitIndex && this.committedIndex !== this.latestIndex) {
      this.committed = this.latest;
      this.committedIndex = this.latestIndex;
    }
  }

  /** The log lost every entry from `index` on: fall back to the newest configuration still in it. */
  truncated(index: number, log: RaftLog): void {
    if (this.latestIndex < index) return;
    for (let i = index - 1; i > this.committedIndex && i >= log.firstIndex(); i--) {
      const e = log.entry(i);
      if (e?.type === "configuration") {
        this.set(decodeConfiguration(e.data), i, true);
        return;
      }
    }
    this.set(this.committed, this.committedIndex, true);
  }

  snapshotInstalled(meta: SnapshotMeta): void {
    this.committed = meta.configuration;
    this.committedIndex = meta.configurationIndex;
    this.set(meta.configuration, meta.configurationIndex, true);
  }

  /** A change is uncommitted: the next must wait (one server at a time). */
  changePending(commitIndex: number): boolean {
    return this.latestIndex > commitIndex;
  }

  isVoter(id: NodeId): boolean {
    return isVoter(this.latest, id);
  }

  private set(configuration: Configuration, index: number, notify: boolean): void {
    this.latest = configuration;
    this.latestIndex = index;
    this.voters = voterIds(configuration);
    if (notify) this.onChange(configuration, index);
  }
}
