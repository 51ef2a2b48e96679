// Helpers for the real-socket transport tests.
import type { Message } from "../../src/core/messages.js";
import { WsTransport, type WsTransportListenOptions } from "../../src/transport/ws-transport.js";
import type { WsTransportEvent } from "../../src/transport/ws-stats.js";

/** Polls `condition` until it holds; generous deadline because the machine is shared and loaded. */
export async function waitFor(
  condition: () => boolean,
  what: string | (() => string),
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${typeof what === "string" ? what : what()}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export interface Node {
  readonly transport: WsTransport;
  readonly inbox: Message[];
  readonly events: WsTransportEvent[];
}

export async function startNode(
  id: string,
  address = "127.0.0.1:0",
  options: Partial<WsTransportListenOptions> = {},
): Promise<Node> {
  const events: WsTransportEvent[] = [];
  const transport = await WsTransport.listen({ id, address, onEvent: (e) => events.push(e), ...options });
  const inbox: Message[] = [];
  transport.onMessage((m) => inbox.push(m));
  return { transport, inbox, events };
}

export function ping(from: string, to: string, term: number): Message {
  return { type: "timeoutNow", from, to, term };
}

/** A loopback address on which nothing listens (a port that was just free). */
export async function deadAddress(): Promise<string> {
  const node = await WsTransport.listen({ id: "tmp", address: "127.0.0.1:0" });
  const address = node.localAddress;
  await node.close();
  return address;
}
