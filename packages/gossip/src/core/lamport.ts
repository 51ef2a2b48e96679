// Serf's Lamport clock over uint64 (bigint, so values past 2^53 stay exact). Starts at 1,
// as Serf increments every clock once at creation.
export class LamportClock {
  private counter = 1n;
  time(): bigint {
    return this.counter;
  }
  /** Returns the new value. */
  increment(): bigint {
    this.counter++;
    return this.counter;
  }
  /** Moves past a value seen from another node. */
  witness(v: bigint): void {
    if (v >= this.counter) this.counter = v + 1n;
  }
}
