// A binary min-heap of timed events (time, then insertion order), for the simulator.
export interface Timed {
  readonly at: number;
  readonly seq: number;
  readonly run: () => void;
}

export class EventHeap {
  private a: Timed[] = [];
  get size(): number {
    return this.a.length;
  }
  peek(): Timed | undefined {
    return this.a[0];
  }
  push(e: Timed): void {
    const a = this.a;
    a.push(e);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(a[i] as Timed, a[p] as Timed)) break;
      [a[i], a[p]] = [a[p] as Timed, a[i] as Timed];
      i = p;
    }
  }
  pop(): Timed | undefined {
    const a = this.a;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && less(a[l] as Timed, a[m] as Timed)) m = l;
        if (r < a.length && less(a[r] as Timed, a[m] as Timed)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m] as Timed, a[i] as Timed];
        i = m;
      }
    }
    return top;
  }
}

function less(x: Timed, y: Timed): boolean {
  return x.at < y.at || (x.at === y.at && x.seq < y.seq);
}
