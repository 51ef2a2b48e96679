// The appends in flight to one peer: a fixed ring of (last index, bytes), so that pipelining
// allocates nothing per message and the window is bounded by count and by bytes.
export class Inflights {
  private readonly lastIndexes: Float64Array;
  private readonly sizes: Float64Array;
  private start = 0;
  count = 0;
  bytes = 0;

  constructor(
    private readonly maxCount: number,
    private readonly maxBytes: number,
  ) {
    this.lastIndexes = new Float64Array(maxCount);
    this.sizes = new Float64Array(maxCount);
  }

  full(): boolean {
    return this.count >= this.maxCount || this.bytes >= this.maxBytes;
  }

  add(lastIndex: number, bytes: number): void {
    if (this.count >= this.maxCount) throw new Error("raft: inflight window overflow");
    const at = (this.start + this.count) % this.maxCount;
    this.lastIndexes[at] = lastIndex;
    this.sizes[at] = bytes;
    this.count++;
    this.bytes += bytes;
  }

  /** Frees every append whose last index is <= `index` (they are acknowledged). */
  freeTo(index: number): void {
    while (this.count > 0 && this.lastIndexes[this.start]! <= index) {
      this.bytes -= this.sizes[this.start]!;
      this.start = (this.start + 1) % this.maxCount;
      this.count--;
    }
    if (this.count === 0) this.bytes = 0;
  }

  reset(): void {
    this.start = 0;
    this.count = 0;
    this.bytes = 0;
  }
}
