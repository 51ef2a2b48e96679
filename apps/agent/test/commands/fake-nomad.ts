import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  body: string;
}

export type Handler = (req: RecordedRequest, res: ServerResponse) => void | Promise<void>;

/** A real HTTP server on 127.0.0.1:0 that answers like a Nomad agent with recorded JSON. */
export class FakeNomad {
  readonly requests: RecordedRequest[] = [];
  private readonly routes = new Map<string, Handler>();
  private server: Server | null = null;
  address = "";

  on(route: string, handler: Handler): this {
    this.routes.set(route, handler);
    return this;
  }

  /** Answers `route` with `body` (a function is called per request: sequences, filters). */
  json(route: string, body: (req: RecordedRequest) => unknown, index?: number): this;
  json(route: string, body: object | string | number | boolean | null, index?: number): this;
  json(route: string, body: unknown, index = 1): this {
    return this.on(route, (req, res) => {
      const value = typeof body === "function" ? (body as (r: RecordedRequest) => unknown)(req) : body;
      res.writeHead(200, {
        "Content-Type": "application/json",
        "X-Nomad-Index": String(index),
        "X-Nomad-KnownLeader": "true",
        "X-Nomad-LastContact": "0",
      });
      res.end(JSON.stringify(value));
    });
  }

  error(route: string, status: number, text: string): this {
    return this.on(route, (_req, res) => {
      res.writeHead(status, { "Content-Type": "text/plain" });
      res.end(text);
    });
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const url = new URL(req.url ?? "/", "http://x");
        const rec: RecordedRequest = {
          method: req.method ?? "GET",
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          body: Buffer.concat(chunks).toString("utf8"),
        };
        this.requests.push(rec);
        const handler = this.routes.get(`${rec.method} ${rec.path}`);
        if (handler === undefined) {
          res.writeHead(404, { "Content-Type": "text/plain" });
          res.end("Invalid URL");
          return;
        }
        void Promise.resolve(handler(rec, res)).catch((err: unknown) => {
          res.writeHead(500);
          res.end(String(err));
        });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.address = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.address;
  }

  async stop(): Promise<void> {
    const s = this.server;
    if (s === null) return;
    this.server = null;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  last(route: string): RecordedRequest {
    const [method, path] = route.split(" ");
    const found = this.requests.filter((r) => r.method === method && r.path === path).at(-1);
    if (found === undefined) throw new Error(`no request ${route}`);
    return found;
  }
}
