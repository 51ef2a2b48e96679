import { RpcServer, type RpcServerOptions } from "../src/index.js";
import { RpcError, type RpcHandler } from "../src/types.js";

/** Polls until `condition` holds; generous deadline because the machine is shared. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Echo, failures, and a call that waits until cancelled. */
export const testHandler: RpcHandler = async (method, args, context) => {
  switch (method) {
    case "Test.Echo":
      return args;
    case "Test.NotFound":
      throw new RpcError("NOT_FOUND", "job not found", { id: "web" });
    case "Test.Bug":
      throw new Error("boom");
    case "Test.Remote":
      return context.remoteAddress;
    case "Test.Hang":
      return new Promise((_resolve, reject) => {
        context.signal.addEventListener("abort", () => reject(new Error("aborted")), { once: true });
      });
    default:
      throw new RpcError("UNKNOWN_METHOD", `unknown method ${method}`);
  }
};

export function listen(options: Partial<RpcServerOptions> = {}): Promise<RpcServer> {
  return RpcServer.listen({ host: "127.0.0.1", port: 0, handler: testHandler, ...options });
}

/** An address on which nothing listens (a port that was just free). */
export async function deadAddress(): Promise<string> {
  const server = await listen();
  const address = server.address;
  await server.close();
  return address;
}
