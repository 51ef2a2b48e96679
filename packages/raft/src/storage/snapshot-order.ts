// Which snapshot is "newest": the one covering the highest index, then the highest term, then the
// one created last. Shared by the in-memory and file snapshot stores so both list alike.
import type { SnapshotMeta } from "../core/types.js";

export interface Ordered {
  readonly meta: SnapshotMeta;
  /** Creation order within one store; never reused. */
  readonly seq: number;
}

export function newestFirst(a: Ordered, b: Ordered): number {
  return b.meta.index - a.meta.index || b.meta.term - a.meta.term || b.seq - a.seq;
}

/** Ids sort lexically in creation order within an index/term and are safe as directory names. */
export function snapshotId(meta: SnapshotMeta, seq: number): string {
  return `${meta.term}-${meta.index}-${seq}`;
}
