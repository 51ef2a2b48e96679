// The in-process Rpc (dev mode, and the agent's HTTP API on a server): calls the handler
// directly, with the network's semantics. Arguments and results are copied through msgpack, so a
// caller never holds an object that belongs to the server's state (and vice versa) and sees the
// same values a remote caller would; every failure is an RpcError.
import { msgpackCopy } from "./frame.js";
import { isRpcError, RpcError, type CallOptions, type Rpc, type RpcHandler } from "./types.js";

export interface LocalRpcOptions {
  /** Reported to the handler as the caller; default "local". */
  readonly remoteAddress?: string;
}

export class LocalRpc implements Rpc {
  private closed = false;

  constructor(
    private readonly handler: RpcHandler,
    private readonly options: LocalRpcOptions = {},
  ) {}

  async call<T = unknown>(method: string, args: unknown, options: CallOptions = {}): Promise<T> {
    if (this.closed) throw new RpcError("SHUTDOWN", "rpc is closed");
    if (options.signal?.aborted === true) throw new RpcError("SHUTDOWN", "call aborted by the caller");
    let copied: unknown;
    try {
      copied = msgpackCopy(args);
    } catch (error) {
      throw new RpcError("INVALID", `arguments of ${method} cannot be encoded: ${(error as Error).message}`);
    }
    const controller = new AbortController();
    const cleanups: (() => void)[] = [];
    const stopped = new Promise<never>((_resolve, reject) => {
      if (options.timeoutMs !== undefined) {
        const timeoutMs = options.timeoutMs;
        const timer = setTimeout(() => {
          const error = new RpcError("TIMEOUT", `${method} timed out after ${timeoutMs} ms`);
          controller.abort(error);
          reject(error);
        }, timeoutMs);
        cleanups.push(() => clearTimeout(timer));
      }
      const signal = options.signal;
      if (signal !== undefined) {
        const onAbort = (): void => {
          const error = new RpcError("SHUTDOWN", "call aborted by the caller");
          controller.abort(error);
          reject(error);
        };
        signal.addEventListener("abort", onAbort, { once: true });
        cleanups.push(() => signal.removeEventListener("abort", onAbort));
      }
    });
    stopped.catch(() => {});
    try {
      const result = await Promise.race([
        Promise.resolve().then(() =>
          this.handler(method, copied, {
            remoteAddress: this.options.remoteAddress ?? "local",
            signal: controller.signal,
          }),
        ),
        stopped,
      ]);
      try {
        return msgpackCopy(result) as T;
      } catch (error) {
        throw new RpcError("INTERNAL", `reply of ${method} cannot be encoded: ${(error as Error).message}`);
      }
    } catch (error) {
      if (isRpcError(error)) throw error;
      throw new RpcError("INTERNAL", error instanceof Error ? error.message : String(error));
    } finally {
      for (const cleanup of cleanups) cleanup();
    }
  }

  /** Later calls fail with SHUTDOWN (running ones finish). */
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}
