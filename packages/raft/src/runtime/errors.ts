// Expected failures of RaftNode calls, as one error class with a closed set of codes.
// Bugs (a broken invariant, an FSM that throws) are not RaftErrors: they stop the node.
import type { NodeId, ServerAddress } from "../core/types.js";

export type RaftErrorCode =
  /** This node is not the leader; `leaderId`/`leaderAddress` name the leader when known. */
  | "NOT_LEADER"
  /** No leader is known (an election is under way, or this node is cut off). */
  | "NO_LEADER"
  /** The call did not complete in time; a write may still be committed later (outcome unknown). */
  | "TIMEOUT"
  /** The node was shut down before the call completed. */
  | "SHUTDOWN";

export const raftErrorCodes: readonly RaftErrorCode[] = ["NOT_LEADER", "NO_LEADER", "TIMEOUT", "SHUTDOWN"];

export class RaftError extends Error {
  override readonly name = "RaftError";
  readonly code: RaftErrorCode;
  readonly leaderId: NodeId | undefined;
  readonly leaderAddress: ServerAddress | undefined;

  constructor(
    code: RaftErrorCode,
    message?: string,
    leader?: { id: NodeId; address?: ServerAddress | undefined },
  ) {
    super(message ?? defaultMessage(code, leader?.id));
    this.code = code;
    this.leaderId = leader?.id;
    this.leaderAddress = leader?.address;
  }
}

export function isRaftError(e: unknown, code?: RaftErrorCode): e is RaftError {
  return e instanceof RaftError && (code === undefined || e.code === code);
}

function defaultMessage(code: RaftErrorCode, leader: NodeId | undefined): string {
  switch (code) {
    case "NOT_LEADER":
      return leader === undefined ? "not the leader" : `not the leader; the leader is ${leader}`;
    case "NO_LEADER":
      return "no known leader";
    case "TIMEOUT":
      return "timed out";
    case "SHUTDOWN":
      return "raft node is shut down";
  }
}
