// A sequential specification for the linearizability checker. The model must be deterministic:
// from one state and one input there is one next state (the output only confirms or refutes it).
import type { History } from "./history.js";

export interface Model<State, Input, Output> {
  init(): State;
  /**
   * The state after applying `input` in `state` if `output` is what a sequential execution would
   * return, or undefined if it is not. When `output` is undefined (unknown outcome) the step always
   * succeeds.
   */
  step(state: State, input: Input, output: Output | undefined): State | undefined;
  /** A string that identifies the state, for memoization (equal states, equal keys). */
  stateKey(state: State): string;
  /**
   * Splits a history into independent sub-histories (P-compositionality: a history is linearizable
   * iff each part is). Return a single part when the model cannot be split.
   */
  partition(history: History<Input, Output>): Map<string, History<Input, Output>>;
  /** True if an operation with unknown outcome can be dropped (it can never change the state). */
  isReadOnly(input: Input): boolean;
  describe(input: Input, output: Output | undefined): string;
}
