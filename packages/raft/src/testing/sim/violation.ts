// A broken invariant. Thrown from the checkers, caught by the simulator, reported with the seed.

export type InvariantName =
  | "election-safety"
  | "log-matching"
  | "leader-completeness"
  | "state-machine-safety"
  | "commit-monotonic"
  | "driver-contract"
  | "linearizability"
  | "liveness"
  | "core-exception";

export class SimViolation extends Error {
  constructor(
    readonly invariant: InvariantName,
    message: string,
  ) {
    super(`${invariant}: ${message}`);
    this.name = "SimViolation";
  }
}
