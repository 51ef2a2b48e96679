// Wing & Gong's backtracking search for a linearization, with Lowe's memoization: a configuration
// is (the set of operations already linearized, the model state); reaching one twice cannot lead
// anywhere new, so it is cut. Events live in a doubly linked list ordered by time; linearizing an
// operation "lifts" its call and return out of the list, and backtracking puts them back.
import type { History, Operation } from "./history.js";
import type { Model } from "./model.js";

interface Event {
  /** Index of the operation in the sub-history. */
  readonly op: number;
  readonly isCall: boolean;
  /** For a call: its return event. */
  match: Event | undefined;
  prev: Event | undefined;
  next: Event | undefined;
}

export interface SearchOutcome {
  readonly verdict: "linearizable" | "not-linearizable" | "unknown";
  readonly steps: number;
  /** On failure: the deepest linearized sequence reached (operation indices, in order). */
  readonly longestPrefix: readonly number[];
  /** On failure: the operations whose return blocked that deepest point. */
  readonly stuckAt: readonly number[];
}

function buildEventList<I, O>(ops: History<I, O>): Event {
  type Timed = { time: number; event: Event };
  const timed: Timed[] = [];
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i] as Operation<I, O>;
    const ret: Event = { op: i, isCall: false, match: undefined, prev: undefined, next: undefined };
    const call: Event = { op: i, isCall: true, match: ret, prev: undefined, next: undefined };
    timed.push({ time: op.callTime, event: call });
    timed.push({ time: op.returnTime ?? Number.POSITIVE_INFINITY, event: ret });
  }
  // On equal times a call sorts before a return: the two operations count as concurrent, which
  // never rejects a history that a finer clock would have accepted.
  timed.sort((a, b) => a.time - b.time || (a.event.isCall === b.event.isCall ? 0 : a.event.isCall ? -1 : 1));
  const head: Event = { op: -1, isCall: false, match: undefined, prev: undefined, next: undefined };
  let last = head;
  for (const t of timed) {
    t.event.prev = last;
    last.next = t.event;
    last = t.event;
  }
  return head;
}

function lift(call: Event): void {
  const ret = call.match as Event;
  (call.prev as Event).next = call.next;
  if (call.next !== undefined) call.next.prev = call.prev;
  (ret.prev as Event).next = ret.next;
  if (ret.next !== undefined) ret.next.prev = ret.prev;
}

function unlift(call: Event): void {
  const ret = call.match as Event;
  (ret.prev as Event).next = ret;
  if (ret.next !== undefined) ret.next.prev = ret;
  (call.prev as Event).next = call;
  if (call.next !== undefined) call.next.prev = call;
}

/** A compact string of the linearized set: 16 operations per UTF-16 code unit. */
function bitsetKey(bits: Uint16Array): string {
  let s = "";
  for (let i = 0; i < bits.length; i++) s += String.fromCharCode(bits[i] as number);
  return s;
}

export function searchLinearization<S, I, O>(
  model: Model<S, I, O>,
  ops: History<I, O>,
  maxSteps: number,
): SearchOutcome {
  const head = buildEventList(ops);
  const bits = new Uint16Array(Math.ceil(ops.length / 16) + 1);
  const seen = new Set<string>();
  const stack: { call: Event; state: S }[] = [];
  let state = model.init();
  let steps = 0;
  let longest: number[] = [];
  let stuckAt: number[] = [];

  let entry = head.next;
  while (head.next !== undefined) {
    if (++steps > maxSteps) {
      return { verdict: "unknown", steps, longestPrefix: longest, stuckAt };
    }
    const e = entry as Event;
    if (e.isCall) {
      const op = ops[e.op] as Operation<I, O>;
      const next = model.step(state, op.input, op.output);
      if (next !== undefined) {
        const word = e.op >> 4;
        const mask = 1 << (e.op & 15);
        bits[word] = (bits[word] as number) | mask;
        const key = bitsetKey(bits) + "\u0000" + model.stateKey(next);
        if (!seen.has(key)) {
          seen.add(key);
          stack.push({ call: e, state });
          state = next;
          lift(e);
          entry = head.next;
          continue;
        }
        bits[word] = (bits[word] as number) & ~mask;
      }
      entry = e.next;
    } else {
      // A return with its call still in the list: that operation must come before everything
      // after it, and nothing tried so far allowed it. Backtrack.
      if (stack.length >= longest.length) {
        longest = stack.map((s) => s.call.op);
        stuckAt = collectPendingCalls(head, e);
      }
      const top = stack.pop();
      if (top === undefined) return { verdict: "not-linearizable", steps, longestPrefix: longest, stuckAt };
      state = top.state;
      unlift(top.call);
      const word = top.call.op >> 4;
      bits[word] = (bits[word] as number) & ~(1 << (top.call.op & 15));
      entry = top.call.next;
    }
  }
  return { verdict: "linearizable", steps, longestPrefix: [], stuckAt: [] };
}

/** The operations called before `blockingReturn` and not yet linearized: the candidates that all failed. */
function collectPendingCalls(head: Event, blockingReturn: Event): number[] {
  const out: number[] = [];
  for (let e = head.next; e !== undefined && e !== blockingReturn; e = e.next) if (e.isCall) out.push(e.op);
  out.push(blockingReturn.op);
  return [...new Set(out)];
}
