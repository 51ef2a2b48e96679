// One RpcClient per address, created on first use: how a server talks to its peers (forwarding
// to the leader, asking a peer for its status) without a connection per call.
import { RpcClient, type RpcClientOptions } from "./client.js";

export class RpcPool {
  private readonly clients = new Map<string, RpcClient>();
  private closed = false;

  constructor(private readonly options: Omit<RpcClientOptions, "address"> = {}) {}

  /** The client for `address` (`host:port`); after closeAll() it returns closed clients (calls fail with SHUTDOWN). */
  get(address: string): RpcClient {
    let client = this.clients.get(address);
    if (client === undefined) {
      client = new RpcClient({ ...this.options, address });
      if (this.closed) void client.close();
      else this.clients.set(address, client);
    }
    return client;
  }

  /** Closes and forgets the client of one address (e.g. a server that left). */
  async remove(address: string): Promise<void> {
    const client = this.clients.get(address);
    this.clients.delete(address);
    await client?.close();
  }

  addresses(): string[] {
    return [...this.clients.keys()];
  }

  closeAll(): Promise<void> {
    this.closed = true;
    const clients = [...this.clients.values()];
    this.clients.clear();
    return Promise.all(clients.map((c) => c.close())).then(() => undefined);
  }
}
