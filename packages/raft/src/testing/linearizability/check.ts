// Checks a whole history: drops what cannot matter, splits it into independent parts
// (P-compositionality), and searches each part on its own, so a history of thousands of
// operations over a few keys costs a few small searches instead of one exponential one.
import type { CheckResult, History, Operation } from "./history.js";
import type { Model } from "./model.js";
import { searchLinearization } from "./search.js";

export interface CheckOptions {
  /** Search steps allowed per part before giving up with verdict "unknown". */
  readonly maxStepsPerPartition?: number;
}

const DEFAULT_MAX_STEPS = 5_000_000;

export function checkLinearizability<S, I, O>(
  model: Model<S, I, O>,
  history: History<I, O>,
  options: CheckOptions = {},
): CheckResult<I, O> {
  const maxSteps = options.maxStepsPerPartition ?? DEFAULT_MAX_STEPS;
  for (const op of history) {
    if (op.returnTime !== undefined && op.returnTime < op.callTime) {
      throw new RangeError(`operation returns (${op.returnTime}) before its call (${op.callTime})`);
    }
  }
  // A read whose answer never came back constrains nothing.
  const relevant = history.filter((op) => !(op.output === undefined && model.isReadOnly(op.input)));
  const parts = model.partition(relevant);
  let searchSteps = 0;
  for (const [name, ops] of parts) {
    const outcome = searchLinearization(model, ops, maxSteps);
    searchSteps += outcome.steps;
    if (outcome.verdict === "linearizable") continue;
    const pick = (i: number): Operation<I, O> => ops[i] as Operation<I, O>;
    const longestPrefix = outcome.longestPrefix.map(pick);
    const stuckAt = outcome.stuckAt.map(pick);
    const line = (op: Operation<I, O>): string =>
      `  client ${op.clientId} [${op.callTime}, ${op.returnTime ?? "∞"}] ${model.describe(op.input, op.output)}`;
    const message =
      outcome.verdict === "unknown"
        ? `linearizability check of "${name}" gave up after ${outcome.steps} steps (${ops.length} operations)`
        : [
            `history of "${name}" is not linearizable (${ops.length} operations).`,
            `longest linearizable prefix (${longestPrefix.length}), last 10:`,
            ...longestPrefix.slice(-10).map(line),
            `none of these could come next:`,
            ...stuckAt.slice(0, 10).map(line),
          ].join("\n");
    return {
      ok: false,
      verdict: outcome.verdict,
      partition: name,
      longestPrefix,
      stuckAt,
      searchSteps,
      message,
    };
  }
  return { ok: true, partitions: parts.size, searchSteps };
}
