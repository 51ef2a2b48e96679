// WsTransport configuration (ARCHITECTURE.md rules 5 and 7): every buffer, window and timeout is
// named here with its bound and the reason for its default.
import { z } from "zod";
import { MAX_NODE_ID_LENGTH } from "./validate.js";

const MiB = 1024 * 1024;

export const wsTransportConfigSchema = z
  .object({
    id: z
      .string()
      .min(1)
      .max(MAX_NODE_ID_LENGTH)
      .describe("this node's id: sent in the handshake; inbound messages must be addressed to it"),
    address: z
      .string()
      .min(3)
      .describe("host:port to listen on ([v6]:port for IPv6); port 0 picks a free port (see localAddress)"),
    maxQueuedMessages: z
      .number()
      .int()
      .min(1)
      .default(4096)
      .describe(
        "per peer: above the core's 128 pipelined appends plus heartbeats and replies; Raft resends drops",
      ),
    maxQueuedBytes: z
      .number()
      .int()
      .min(1024)
      .default(32 * MiB)
      .describe("per peer: twice the core's 16 MiB of in-flight entries, so a healthy pipeline never drops"),
    maxFrameBytes: z
      .number()
      .int()
      .min(1024)
      .default(1 * MiB)
      .describe(
        "a batch frame stops growing here: large enough to batch, small enough not to delay a heartbeat",
      ),
    maxInflightBytes: z
      .number()
      .int()
      .min(1024)
      .default(4 * MiB)
      .describe(
        "per connection, bytes handed to the socket but not yet written: beyond this the bounded queue fills",
      ),
    maxPayloadBytes: z
      .number()
      .int()
      .min(64 * 1024)
      .default(64 * MiB)
      .describe(
        "largest frame accepted (ws maxPayload), hence largest message: 64 entries of 1 MiB or a 16 MiB chunk",
      ),
    reconnectMinMs: z
      .number()
      .int()
      .min(1)
      .default(50)
      .describe("first retry after a failed dial: a restarting peer is back within a few heartbeats"),
    reconnectMaxMs: z
      .number()
      .int()
      .min(1)
      .default(2000)
      .describe(
        "backoff ceiling: a dead peer costs one dial per ~2 s, and a returning one waits at most that",
      ),
    handshakeTimeoutMs: z
      .number()
      .int()
      .min(1)
      .default(5000)
      .describe("a connection that has not completed the upgrade and hello exchange by then is closed"),
    pingIntervalMs: z
      .number()
      .int()
      .min(10)
      .default(5000)
      .describe(
        "a dialed peer silent for two of these (no pong) is redialed: seconds, not TCP's many minutes",
      ),
    maxInboundConnections: z
      .number()
      .int()
      .min(1)
      .default(1024)
      .describe("bounds sockets a misbehaving client can hold open; a cluster needs one per peer"),
    closeTimeoutMs: z
      .number()
      .int()
      .min(1)
      .default(2000)
      .describe("close() waits this long for a clean websocket close before destroying the socket"),
  })
  .refine((c) => c.reconnectMaxMs >= c.reconnectMinMs, {
    message: "reconnectMaxMs must be >= reconnectMinMs",
  })
  .refine((c) => c.maxPayloadBytes >= c.maxFrameBytes, {
    message: "maxPayloadBytes must be >= maxFrameBytes",
  });

export type WsTransportConfig = z.output<typeof wsTransportConfigSchema>;
export type WsTransportOptions = z.input<typeof wsTransportConfigSchema>;

/** Splits "host:port" or "[v6]:port"; throws on anything else (configuration errors are the caller's). */
export function parseAddress(address: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(address);
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (host === undefined || !Number.isInteger(port) || port > 65535) {
    throw new Error(`invalid address ${JSON.stringify(address)}: expected host:port`);
  }
  return { host, port };
}

export function formatAddress(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}
