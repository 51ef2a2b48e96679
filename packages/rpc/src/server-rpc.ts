// A caller of "the servers": a list of addresses, one preferred at a time. A call that fails
// with CONNECTION moves to the next server and is retried there (it never reached a handler, or
// the connection died under it; Nomad's clients retry the same way); a TIMEOUT moves the
// preference for later calls but is returned, since the call's time is spent. NOT_LEADER with
// `details.leader` is retried once at that address.
//
//   const rpc = new ServerRpc({ servers: ["10.0.0.1:4647", "10.0.0.2:4647"] });
//   rpc.setServers(["10.0.0.3:4647"]);   // e.g. from a heartbeat reply's server list
import { RpcClient, type RpcClientOptions } from "./client.js";
import { callBudgetMs, parseHostPort, rpcDefaults } from "./options.js";
import { isRpcError, RpcError, type CallOptions, type Rpc } from "./types.js";

export interface ServerRpcOptions extends Omit<RpcClientOptions, "address"> {
  readonly servers: readonly string[];
}

export class ServerRpc implements Rpc {
  private list: string[] = [];
  private preferred = 0;
  private readonly clients = new Map<string, RpcClient>();
  private readonly random: () => number;
  private closed = false;

  constructor(private readonly options: ServerRpcOptions) {
    this.random = options.random ?? Math.random;
    this.setServers(options.servers);
  }

  /** Current list, preferred server first. */
  servers(): string[] {
    return [...this.list.slice(this.preferred), ...this.list.slice(0, this.preferred)];
  }

  /**
   * Replaces the list (shuffled, so clients spread over servers). Connections to servers no
   * longer listed are closed; the preferred server stays preferred if it is still listed.
   */
  setServers(servers: readonly string[]): void {
    servers.forEach((address, i) => parseHostPort(`servers[${i}]`, address));
    const current = this.list[this.preferred];
    const next = [...new Set(servers)];
    for (let i = next.length - 1; i > 0; i -= 1) {
      const j = Math.floor(this.random() * (i + 1));
      [next[i], next[j]] = [next[j] as string, next[i] as string];
    }
    this.list = next;
    this.preferred = current !== undefined && next.includes(current) ? next.indexOf(current) : 0;
    for (const [address, client] of this.clients) {
      if (!next.includes(address)) {
        this.clients.delete(address);
        void client.close();
      }
    }
  }

  async call<T = unknown>(method: string, args: unknown, options: CallOptions = {}): Promise<T> {
    if (this.closed) throw new RpcError("SHUTDOWN", "rpc client is closed");
    const budgetMs =
      options.timeoutMs ?? callBudgetMs(args, this.options.defaultTimeoutMs ?? rpcDefaults.defaultTimeoutMs);
    const deadline = Date.now() + budgetMs;
    let followedLeader = false;
    let lastError: RpcError | undefined;
    let target: string | undefined;
    for (let attempt = 0; attempt < Math.max(this.list.length, 1) + 1; attempt += 1) {
      const address = target ?? this.list[this.preferred];
      target = undefined;
      if (address === undefined) throw new RpcError("CONNECTION", "no servers known");
      const remainingMs = deadline - Date.now();
      if (remainingMs <= 0) break;
      try {
        return await this.client(address).call<T>(method, args, {
          timeoutMs: remainingMs,
          ...(options.signal === undefined ? {} : { signal: options.signal }),
        });
      } catch (error) {
        if (!isRpcError(error) || options.signal?.aborted === true) throw error;
        lastError = error;
        if (error.code === "NOT_LEADER" && !followedLeader && error.details?.leader !== undefined) {
          followedLeader = true;
          target = error.details.leader;
          continue;
        }
        if (error.code === "TIMEOUT") {
          this.rotateFrom(address);
          throw error;
        }
        if (error.code !== "CONNECTION" || this.list.length === 0) throw error;
        this.rotateFrom(address);
        if (attempt + 1 >= this.list.length) throw error;
      }
    }
    throw lastError ?? new RpcError("TIMEOUT", `${method} timed out after ${budgetMs} ms`);
  }

  /** Closes every connection; later calls fail with SHUTDOWN. */
  async close(): Promise<void> {
    this.closed = true;
    const clients = [...this.clients.values()];
    this.clients.clear();
    await Promise.all(clients.map((c) => c.close()));
  }

  private rotateFrom(address: string): void {
    if (this.list[this.preferred] === address && this.list.length > 0) {
      this.preferred = (this.preferred + 1) % this.list.length;
    }
  }

  private client(address: string): RpcClient {
    let client = this.clients.get(address);
    if (client === undefined) {
      const { servers: _servers, ...rest } = this.options;
      client = new RpcClient({ ...rest, address });
      // Leader hints may name a server outside the list: its client is kept like the others
      // and closed by the next setServers that does not list it.
      this.clients.set(address, client);
    }
    return client;
  }
}
