// Expected refusals of a write (the FSM returns them as `{ index, error }`; the state is unchanged).
export type StateErrorCode = "NOT_FOUND" | "CONFLICT" | "INVALID";

export class StateError extends Error {
  constructor(
    readonly code: StateErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "StateError";
  }
}
