// A follower's side of chunked InstallSnapshot (7, Figure 13): chunks must arrive in order; a
// duplicate is re-acknowledged, a gap or a different snapshot restarts the transfer from byte 0,
// and the buffered size is bounded by maxSnapshotBytes.
import type { InstallSnapshotRequest } from "./messages.js";
import type { SnapshotMeta } from "./types.js";

export type ChunkOutcome =
  | { readonly kind: "progress"; readonly nextOffset: number }
  | { readonly kind: "restart" }
  | { readonly kind: "complete"; readonly meta: SnapshotMeta; readonly data: Uint8Array };

export class SnapshotReceiver {
  private meta: SnapshotMeta | undefined;
  private chunks: Uint8Array[] = [];
  private received = 0;

  receive(m: InstallSnapshotRequest, maxSnapshotBytes: number): ChunkOutcome {
    if (m.totalBytes > maxSnapshotBytes || m.offset + m.data.byteLength > m.totalBytes) {
      this.reset();
      return { kind: "restart" };
    }
    if (m.offset === 0) {
      if (this.meta !== undefined && sameSnapshot(this.meta, m.meta) && this.received > 0) {
        // A resend of the first chunk while we already hold more: just re-acknowledge.
        if (this.received >= m.data.byteLength) return { kind: "progress", nextOffset: this.received };
      }
      this.reset();
      this.meta = m.meta;
    } else if (this.meta === undefined || !sameSnapshot(this.meta, m.meta) || m.offset > this.received) {
      this.reset();
      return { kind: "restart" };
    } else if (m.offset < this.received) {
      return { kind: "progress", nextOffset: this.received };
    }
    if (m.data.byteLength > 0) {
      this.chunks.push(m.data);
      this.received += m.data.byteLength;
    }
    if (!m.done || this.received < m.totalBytes) return { kind: "progress", nextOffset: this.received };
    const data = concat(this.chunks, this.received);
    const meta = this.meta!;
    this.reset();
    return { kind: "complete", meta, data };
  }

  reset(): void {
    this.meta = undefined;
    this.chunks = [];
    this.received = 0;
  }
}

function sameSnapshot(a: SnapshotMeta, b: SnapshotMeta): boolean {
  return a.index === b.index && a.term === b.term;
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
