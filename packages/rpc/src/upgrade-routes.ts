// Several websocket services on one HTTP port (Nomad serves RPC and Raft on 4647): each service
// registers a path, and one `upgrade` listener per http.Server hands the socket to the owner of
// the request's path. The table lives on the server object under a global symbol so that other
// packages (@nomad/raft's WsTransport.attach) share it without importing this one; they only
// agree on the symbol and on `Map<path, route>`. Upgrades to an unknown path get a 404.
import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";

export type UpgradeRoute = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

const ROUTES = Symbol.for("@nomad/upgrade-routes");

interface RoutedServer {
  [ROUTES]?: Map<string, UpgradeRoute>;
}

export function requestPath(request: IncomingMessage): string {
  const url = request.url ?? "/";
  const query = url.indexOf("?");
  return query === -1 ? url : url.slice(0, query);
}

/** Registers `path` on `server`; returns the function that removes it. Throws if the path is taken. */
export function addUpgradeRoute(server: Server, path: string, route: UpgradeRoute): () => void {
  const routed = server as Server & RoutedServer;
  let routes = routed[ROUTES];
  if (routes === undefined) {
    const table = new Map<string, UpgradeRoute>();
    routes = table;
    routed[ROUTES] = table;
    server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      const owner = table.get(requestPath(request));
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
  if (routes.has(path)) throw new Error(`a websocket service is already attached at ${path}`);
  routes.set(path, route);
  const table = routes;
  return () => {
    if (table.get(path) === route) table.delete(path);
  };
}
