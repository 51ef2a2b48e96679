import { createServer, type Server } from "node:http";
import WebSocket, { WebSocketServer } from "ws";
import { afterEach, describe, expect, it } from "vitest";
import type { Message } from "../../src/core/messages.js";
import { WsTransport } from "../../src/transport/ws-transport.js";
import { addUpgradeRoute } from "../../src/transport/ws-transport-upgrade-routes.js";
import { ping, startNode, waitFor } from "./helpers.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function httpServer(): Promise<{ server: Server; address: string }> {
  const server = createServer((_request, response) => response.end("plain http\n"));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { server, address: `127.0.0.1:${(server.address() as { port: number }).port}` };
}

function attach(id: string, server: Server): { transport: WsTransport; inbox: Message[] } {
  const transport = WsTransport.attach({ id, server, path: "/raft" });
  const inbox: Message[] = [];
  transport.onMessage((m) => inbox.push(m));
  cleanups.push(() => transport.close());
  return { transport, inbox };
}

/** Another websocket service (an echo) on the same server, the way @nomad/rpc registers /rpc. */
function echoService(server: Server, path: string): void {
  const wss = new WebSocketServer({ noServer: true });
  wss.on("connection", (ws) => ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary })));
  const remove = addUpgradeRoute(server, path, (request, socket, head) =>
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit("connection", ws, request)),
  );
  cleanups.push(async () => {
    remove();
    for (const client of wss.clients) client.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  });
}

async function echo(address: string, path: string, text: string): Promise<string> {
  const socket = new WebSocket(`ws://${address}${path}`);
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
    });
    const reply = new Promise<string>((resolve) =>
      socket.once("message", (data: Buffer) => resolve(data.toString())),
    );
    socket.send(text);
    return await reply;
  } finally {
    socket.terminate();
  }
}

describe("WsTransport.attach: Raft on a path of a shared http.Server", () => {
  it("two attached nodes exchange messages over /raft while another service answers on /rpc of the same port", async () => {
    const a = await httpServer();
    const b = await httpServer();
    echoService(a.server, "/rpc");
    const na = attach("a", a.server);
    const nb = attach("b", b.server);
    expect(na.transport.localAddress).toBe(a.address);
    na.transport.send("b", b.address, ping("a", "b", 1));
    nb.transport.send("a", a.address, ping("b", "a", 2));
    await waitFor(() => na.inbox.length === 1 && nb.inbox.length === 1, "a message each way");
    expect(nb.inbox[0]).toEqual(ping("a", "b", 1));
    expect(na.inbox[0]).toEqual(ping("b", "a", 2));
    expect(await echo(a.address, "/rpc", "hello")).toBe("hello");
  });

  it("close() releases the path and its connections but leaves the server serving", async () => {
    const a = await httpServer();
    echoService(a.server, "/rpc");
    const na = attach("a", a.server);
    await na.transport.close();
    expect(a.server.listening).toBe(true);
    expect(await echo(a.address, "/rpc", "still here")).toBe("still here");
    // The path is free again: a new transport can take it.
    const again = WsTransport.attach({ id: "a2", server: a.server, path: "/raft" });
    await again.close();
  });

  it("an attached node and a listening node talk when the listener's peers dial its path", async () => {
    const a = await httpServer();
    const na = attach("a", a.server);
    const listening = await startNode("l");
    cleanups.push(() => listening.transport.close());
    // A listen()-mode node accepts any path, so an attached node can dial it.
    na.transport.send("l", listening.transport.localAddress, ping("a", "l", 3));
    await waitFor(() => listening.inbox.length === 1, "the message at the listening node");
  });

  it("refuses a path that is already taken, and upgrades to unknown paths get 404", async () => {
    const a = await httpServer();
    attach("a", a.server);
    expect(() => WsTransport.attach({ id: "b", server: a.server, path: "/raft" })).toThrow(
      /already attached/,
    );
    expect(() => WsTransport.attach({ id: "b", server: a.server, path: "raft" })).toThrow(/path/);
    const socket = new WebSocket(`ws://${a.address}/nowhere`);
    const status = await new Promise<number>((resolve) => {
      socket.once("unexpected-response", (_request, response) => resolve(response.statusCode ?? 0));
      socket.once("error", () => resolve(-1));
    });
    socket.terminate();
    expect(status).toBe(404);
  });

  it("uses the advertised address when given one", async () => {
    const a = await httpServer();
    const transport = WsTransport.attach({ id: "a", server: a.server, address: "10.1.2.3:4647" });
    cleanups.push(() => transport.close());
    expect(transport.localAddress).toBe("10.1.2.3:4647");
  });
});
