// The Serf layer's public vocabulary: members, statuses and the events it emits.
import type { Address } from "./types.js";

export type MemberStatus = "alive" | "leaving" | "left" | "failed";

export interface Member {
  readonly name: string;
  readonly addr: Address;
  readonly tags: Readonly<Record<string, string>>;
  readonly status: MemberStatus;
  /** [PMin, PMax, PCur, DMin, DMax, DCur] as the member advertises them. */
  readonly vsn: readonly number[];
}

export type MemberEventType =
  "member-join" | "member-leave" | "member-failed" | "member-update" | "member-reap";

export interface MemberEvent {
  readonly type: MemberEventType;
  readonly members: readonly Member[];
}

export interface UserEvent {
  readonly type: "user";
  readonly name: string;
  readonly payload: Uint8Array;
  readonly ltime: bigint;
  readonly coalesce: boolean;
}

export interface QueryEvent {
  readonly type: "query";
  readonly name: string;
  readonly payload: Uint8Array;
  readonly ltime: bigint;
  readonly id: number;
  readonly sourceNode: string;
  /** Sends our response to the querier (at most once; size-limited). */
  respond(payload: Uint8Array): void;
}

export type SerfEvent = MemberEvent | UserEvent | QueryEvent;

export interface QueryOptions {
  readonly timeoutMs?: number;
  readonly requestAck?: boolean;
  /** Only these node names process the query. */
  readonly filterNodes?: readonly string[];
  /** Only nodes whose tag matches each regular expression process it. */
  readonly filterTags?: Readonly<Record<string, string>>;
  readonly relayFactor?: number;
}

export interface QueryHandle {
  readonly id: number;
  readonly ltime: bigint;
  readonly deadlineMs: number;
  readonly acks: Set<string>;
  readonly responses: Map<string, Uint8Array>;
  finished: boolean;
  onResponse?: (from: string, payload: Uint8Array) => void;
  onAck?: (from: string) => void;
  onFinish?: () => void;
}

export class SerfError extends Error {
  constructor(
    readonly code:
      "EVENT_TOO_LARGE" | "QUERY_TOO_LARGE" | "RESPONSE_TOO_LARGE" | "TAGS_TOO_LARGE" | "NOT_RUNNING",
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = "SerfError";
  }
}
