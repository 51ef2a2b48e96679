// The transport seam. Raft messages are one-way (etcd style): a request and its response are
// two messages, so pipelining is natural and the transport never waits for a reply.
import type { NodeId, ServerAddress } from "../core/types.js";
import type { Message } from "../core/messages.js";

export interface TransportStats {
  readonly sent: number;
  readonly received: number;
  /** Messages dropped because a peer's bounded send buffer was full or the peer was unreachable. */
  readonly droppedSend: number;
  /** Frames that failed to decode or validate; dropped, never thrown. */
  readonly droppedInvalid: number;
}

export interface Transport {
  readonly localAddress: ServerAddress;
  /** Queue `message` for `to`; never throws and never blocks. Drops (and counts) when the buffer is full. */
  send(to: NodeId, address: ServerAddress, message: Message): void;
  /** One handler; messages arrive validated, in order per sending peer. */
  onMessage(handler: (message: Message) => void): void;
  stats(): TransportStats;
  close(): Promise<void>;
}
