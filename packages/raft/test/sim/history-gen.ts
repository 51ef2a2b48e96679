// Generates key-value histories that are linearizable by construction: operations are executed
// sequentially against the model at increasing linearization points, then each one's call and
// return are smeared around its point, so concurrent operations overlap as they would in a run.
import type { KvInput, KvOutput, Operation } from "@nomad/raft/testing";
import { Prng } from "@nomad/raft/testing";

export type KvOp = Operation<KvInput, KvOutput>;

export interface GenOptions {
  readonly ops: number;
  readonly keys: number;
  /** Max distance of a call or a return from the operation's linearization point. */
  readonly spread: number;
  /** Fraction of operations whose outcome is lost (timed out). */
  readonly pendingRate: number;
}

export function sequentialHistory(seed: number, options: GenOptions): KvOp[] {
  const rng = new Prng(seed);
  const state = new Map<string, string | null>();
  const out: KvOp[] = [];
  for (let i = 0; i < options.ops; i++) {
    const key = `k${rng.int(options.keys)}`;
    const current = state.get(key) ?? null;
    const point = i * 10;
    const callTime = point - rng.int(options.spread + 1);
    const returnTime = point + rng.int(options.spread + 1);
    const clientId = rng.int(8);
    const roll = rng.int(10);
    let input: KvInput;
    let output: KvOutput;
    if (roll < 4) {
      input = { op: "get", key };
      output = { op: "get", value: current };
    } else if (roll < 7) {
      input = { op: "put", key, value: `v${i}` };
      output = { op: "put" };
      state.set(key, input.value);
    } else if (roll < 8) {
      input = { op: "delete", key };
      output = { op: "delete" };
      state.set(key, null);
    } else {
      // Half the cas operations expect the current value, so both outcomes occur.
      const from = rng.chance(0.5) ? current : `v${rng.int(i + 1)}`;
      const ok = from === current;
      input = { op: "cas", key, from, to: `v${i}` };
      output = { op: "cas", ok };
      if (ok) state.set(key, input.to);
    }
    if (input.op !== "get" && rng.chance(options.pendingRate)) {
      // It took effect (it is in `state`) but the client never heard back.
      out.push({ clientId, input, output: undefined, callTime, returnTime: undefined });
    } else {
      out.push({ clientId, input, output, callTime, returnTime });
    }
  }
  return out;
}
