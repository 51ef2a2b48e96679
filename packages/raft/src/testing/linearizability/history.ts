// A concurrent history as a client observed it: each operation with the (virtual) times at which
// it was invoked and at which it returned. An operation whose outcome is unknown (the client timed
// out, the node it talked to crashed) has `output` and `returnTime` undefined: it may have taken
// effect at any moment after its call, or never.

export interface Operation<Input, Output> {
  readonly clientId: number | string;
  readonly input: Input;
  /** undefined = outcome unknown. */
  readonly output: Output | undefined;
  readonly callTime: number;
  /** undefined = never returned (treated as returning after everything else). */
  readonly returnTime: number | undefined;
}

export type History<Input, Output> = readonly Operation<Input, Output>[];

export type CheckResult<Input, Output> =
  | { readonly ok: true; readonly partitions: number; readonly searchSteps: number }
  | {
      readonly ok: false;
      /** "unknown" when the search budget ran out before an answer. */
      readonly verdict: "not-linearizable" | "unknown";
      /** The partition (e.g. the key) that failed. */
      readonly partition: string;
      /** The longest sequence of operations that could be linearized, in order. */
      readonly longestPrefix: readonly Operation<Input, Output>[];
      /** Operations that had to come next (they returned first) but none could be linearized. */
      readonly stuckAt: readonly Operation<Input, Output>[];
      readonly searchSteps: number;
      readonly message: string;
    };
