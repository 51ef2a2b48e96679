// Several websocket services on one HTTP port (Nomad serves RPC and Raft on 4647). Each service
// registers its path in a table kept on the http.Server under a global symbol, and a single
// `upgrade` listener hands each socket to the owner of the request's path (404 otherwise).
// @nomad/rpc keeps the same table under the same symbol, so RpcServer.attach and
// WsTransport.attach share a server without either package importing the other: the only
// agreement is the symbol and `Map<path, (request, socket, head) => void>`.
import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";

export type UpgradeRoute = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

const ROUTES = Symbol.for("@nomad/upgrade-routes");

interface RoutedServer {
  [ROUTES]?: Map<string, UpgradeRoute>;
}

function requestPath(request: IncomingMessage): string {
  const url = request.url ?? "/";
  const query = url.indexOf("?");
  return query === -1 ? url : url.slice(0, query);
}

/** Registers `path` on `server`; returns the function that removes it. Throws if the path is taken. */
export function addUpgradeRoute(server: Server, path: string, route: UpgradeRoute): () => void {
  const routed = server as Server & RoutedServer;
  let table = routed[ROUTES];
  if (table === undefined) {
    const routes = new Map<string, UpgradeRoute>();
    table = routes;
    routed[ROUTES] = routes;
    server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      const owner = routes.get(requestPath(request));
      if (owner !== undefined) {
        owner(request, socket, head);
        return;
      }
      socket.on("error", () => {});
      socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", () =>
        socket.destroy(),
      );
    });
  }
  if (table.has(path)) throw new Error(`a websocket service is already attached at ${path}`);
  table.set(path, route);
  const routes = table;
  return () => {
    if (routes.get(path) === route) routes.delete(path);
  };
}
