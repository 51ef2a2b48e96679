// The in-memory twin of the transport, for tests of the runtime (hashicorp/raft's InmemTransport
// plus the partition helpers of its test cluster). Delivery is asynchronous, like a real network,
// and FIFO per network, hence in order per sending peer. By default every message goes through the
// real codec and validator, so the receiver gets its own copy exactly as it would off a socket and
// a malformed message from a buggy core is caught here rather than in production.
import type { Message } from "../core/messages.js";
import type { NodeId, ServerAddress } from "../core/types.js";
import { decodeMessages, encodeMessages } from "./codec.js";
import { checkMessage } from "./validate.js";
import type { Transport, TransportStats } from "./types.js";

export interface MemoryNetworkOptions {
  /** Encode and decode every message with the wire codec (default true). */
  readonly encode?: boolean;
}

interface Delivery {
  readonly from: MemoryTransport;
  readonly address: ServerAddress;
  readonly to: NodeId;
  readonly message: Message | undefined;
  readonly frame: Uint8Array | undefined;
}

function linkKey(from: NodeId, to: NodeId): string {
  return `${from}\u0000${to}`;
}

export class MemoryNetwork {
  private readonly transports = new Map<ServerAddress, MemoryTransport>();
  private readonly isolated = new Set<NodeId>();
  private readonly cutLinks = new Set<string>();
  private queue: Delivery[] = [];
  private drainScheduled = false;
  private idleWaiters: (() => void)[] = [];
  private readonly encode: boolean;

  constructor(options: MemoryNetworkOptions = {}) {
    this.encode = options.encode ?? true;
  }

  /** A transport for node `id` listening on `address` (defaults to the id itself). */
  createTransport(id: NodeId, address: ServerAddress = id): MemoryTransport {
    const existing = this.transports.get(address);
    if (existing !== undefined && !existing.closed) throw new Error(`address ${address} is already in use`);
    const transport = new MemoryTransport(this, id, address);
    this.transports.set(address, transport);
    return transport;
  }

  /** Cuts `id` off from every other node, both ways (hashicorp/raft's Disconnect). */
  disconnect(id: NodeId): void {
    this.isolated.add(id);
  }

  /** Undoes `disconnect(id)`; links cut by `partition` or `cut` stay cut. */
  reconnect(id: NodeId): void {
    this.isolated.delete(id);
  }

  /** Cuts every link between nodes of different groups, both ways. Unnamed nodes keep their links. */
  partition(...groups: readonly (readonly NodeId[])[]): void {
    for (let i = 0; i < groups.length; i++) {
      for (let j = 0; j < groups.length; j++) {
        if (i === j) continue;
        for (const a of groups[i] ?? []) for (const b of groups[j] ?? []) this.cutLinks.add(linkKey(a, b));
      }
    }
  }

  /** Cuts the one-way link from `from` to `to` (`to` still reaches `from`). */
  cut(from: NodeId, to: NodeId): void {
    this.cutLinks.add(linkKey(from, to));
  }

  /** Removes every fault: all nodes reach each other again. */
  heal(): void {
    this.isolated.clear();
    this.cutLinks.clear();
  }

  canReach(from: NodeId, to: NodeId): boolean {
    if (from === to) return true;
    return !this.isolated.has(from) && !this.isolated.has(to) && !this.cutLinks.has(linkKey(from, to));
  }

  /** Resolves once every message sent so far (and every reply sent while handling them) is delivered. */
  settle(): Promise<void> {
    if (this.queue.length === 0 && !this.drainScheduled) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** @internal Called by MemoryTransport.send. */
  enqueue(from: MemoryTransport, to: NodeId, address: ServerAddress, message: Message): void {
    const frame = this.encode ? encodeMessages([message]) : undefined;
    this.queue.push({ from, address, to, message: this.encode ? undefined : message, frame });
    if (!this.drainScheduled) {
      this.drainScheduled = true;
      queueMicrotask(() => this.drain());
    }
  }

  /**
   * Delivers the messages queued before this turn; replies queued by handlers go in a later
   * microtask, so a handler never runs re-entrantly inside another handler's send.
   */
  private drain(): void {
    const batch = this.queue;
    this.queue = [];
    for (const delivery of batch) this.deliver(delivery);
    if (this.queue.length > 0) {
      queueMicrotask(() => this.drain());
      return;
    }
    this.drainScheduled = false;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private deliver(delivery: Delivery): void {
    const sender = delivery.from;
    const receiver = this.transports.get(delivery.address);
    // Reachability is judged at delivery time: a partition that starts while a message is in
    // flight loses it, as on a real network.
    if (
      sender.closed ||
      receiver === undefined ||
      receiver.closed ||
      !receiver.hasHandler() ||
      !this.canReach(sender.id, delivery.to)
    ) {
      sender.countDroppedSend();
      return;
    }
    if (delivery.frame === undefined) {
      const message = delivery.message as Message;
      if (checkMessage(message) === undefined) receiver.receive(message);
      else receiver.countInvalid(1);
      return;
    }
    const { messages, invalid } = decodeMessages(delivery.frame);
    receiver.countInvalid(invalid);
    for (const message of messages) receiver.receive(message);
  }
}

export class MemoryTransport implements Transport {
  closed = false;
  private handler: ((message: Message) => void) | undefined;
  private sent = 0;
  private received = 0;
  private droppedSend = 0;
  private droppedInvalid = 0;

  constructor(
    private readonly network: MemoryNetwork,
    readonly id: NodeId,
    readonly localAddress: ServerAddress,
  ) {}

  send(to: NodeId, address: ServerAddress, message: Message): void {
    if (this.closed) {
      this.droppedSend += 1;
      return;
    }
    this.sent += 1;
    this.network.enqueue(this, to, address, message);
  }

  onMessage(handler: (message: Message) => void): void {
    this.handler = handler;
  }

  stats(): TransportStats {
    return {
      sent: this.sent,
      received: this.received,
      droppedSend: this.droppedSend,
      droppedInvalid: this.droppedInvalid,
    };
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  /** @internal */
  hasHandler(): boolean {
    return this.handler !== undefined;
  }

  /** @internal Delivers a validated message; like the ws transport, only if it is addressed here. */
  receive(message: Message): void {
    if (message.to !== this.id || this.handler === undefined) {
      this.droppedInvalid += 1;
      return;
    }
    this.received += 1;
    this.handler(message);
  }

  /** @internal */
  countDroppedSend(): void {
    this.droppedSend += 1;
  }

  /** @internal */
  countInvalid(count: number): void {
    this.droppedInvalid += count;
  }
}
