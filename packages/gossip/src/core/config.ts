// The numbers the membership core runs on, all in milliseconds. Built from the field table
// in ../config.ts (which carries the defaults and their reasons).
export interface CoreConfig {
  readonly name: string;
  readonly probeIntervalMs: number;
  readonly probeTimeoutMs: number;
  readonly indirectChecks: number;
  readonly suspicionMult: number;
  readonly suspicionMaxTimeoutMult: number;
  readonly awarenessMaxMultiplier: number;
  readonly gossipIntervalMs: number;
  readonly gossipNodes: number;
  readonly gossipToTheDeadMs: number;
  readonly retransmitMult: number;
  /** Lower bound on the transmit count (0 = memberlist's formula alone). */
  readonly retransmitFloor: number;
  readonly pushPullIntervalMs: number;
  readonly tcpTimeoutMs: number;
  readonly udpBufferSize: number;
  readonly disableTcpPings: boolean;
  /** After this long dead, a node's name may be taken by a new address (0 = only once left). */
  readonly deadNodeReclaimMs: number;
  readonly broadcastQueueMax: number;
  readonly metaMaxBytes: number;
  readonly vsn: readonly number[];
}
