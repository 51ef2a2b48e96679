// The /v1 HTTP API (Nomad's port 4646): node:http, the route table, JSON replies with QueryMeta
// headers, plain-text errors. Any failure inside a request becomes a status code for that
// request only; the listener keeps serving.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { performance } from "node:perf_hooks";
import type { AgentBackend } from "../agent/backend.js";
import type { Logger } from "../agent/logger.js";
import type { AgentInfo } from "./agent-info.js";
import { DEFAULT_MAX_BODY_BYTES } from "./body.js";
import type { Reply, RouteContext } from "./context.js";
import { HttpError, toHttpError } from "./errors.js";
import { HttpMetrics } from "./metrics.js";
import { setMetaHeaders } from "./query.js";
import { Router } from "./router.js";
import { agentRoutes } from "./routes/agent.js";
import { allocEvalRoutes } from "./routes/allocs-evals.js";
import { clientGcRoutes } from "./routes/client-gc.js";
import { clientLogRoutes } from "./routes/client-logs.js";
import { clusterRoutes } from "./routes/cluster.js";
import { jobRoutes } from "./routes/jobs.js";
import { metricsRoutes } from "./routes/metrics.js";
import { nodeRoutes } from "./routes/nodes.js";

export interface HttpApiOptions {
  readonly agent: AgentInfo;
  readonly logger: Logger;
  /** May be given later with setBackend (the listener can start before the server and client). */
  readonly backend?: AgentBackend;
  /** Larger bodies get 413. */
  readonly maxBodyBytes?: number;
  /** Nomad's http_api_response_headers: added to every response. */
  readonly responseHeaders?: Readonly<Record<string, string>>;
  readonly metrics?: HttpMetrics;
  /** Nomad's limits.http_max_conns_per_client: open connections per source IP (0 = no limit). */
  readonly maxConnsPerClient?: number;
}

/** Nomad's default for limits.http_max_conns_per_client. */
export const DEFAULT_MAX_CONNS_PER_CLIENT = 100;

export function buildRouter(): Router {
  const router = new Router();
  jobRoutes(router);
  nodeRoutes(router);
  allocEvalRoutes(router);
  agentRoutes(router);
  clusterRoutes(router);
  clientLogRoutes(router);
  clientGcRoutes(router);
  metricsRoutes(router);
  return router;
}

export class HttpApi {
  readonly metrics: HttpMetrics;
  private backend: AgentBackend | undefined;
  private readonly router = buildRouter();
  private readonly servers: Server[] = [];
  private readonly log: Logger;
  private readonly connsPerIp = new Map<string, number>();

  constructor(private readonly options: HttpApiOptions) {
    this.backend = options.backend;
    this.metrics = options.metrics ?? new HttpMetrics();
    if (options.backend !== undefined) this.metrics.setBackend(options.backend);
    this.log = options.logger;
  }

  setBackend(backend: AgentBackend): void {
    this.backend = backend;
    this.metrics.setBackend(backend);
  }

  /** Listens on each host at `port` (port 0: the first host picks, the others reuse it). Returns `host:port` of each. */
  async listen(hosts: readonly string[], port: number): Promise<string[]> {
    const bound: string[] = [];
    let actualPort = port;
    for (const host of hosts) {
      const server = createServer((req, res) => this.handle(req, res));
      server.on("connection", (socket) => this.admit(socket));
      server.on("clientError", (_err, socket) => {
        if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
        else socket.destroy();
      });
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen({ host, port: actualPort }, () => {
          server.off("error", reject);
          resolve();
        });
      });
      this.servers.push(server);
      actualPort = (server.address() as AddressInfo).port;
      bound.push(host.includes(":") ? `[${host}]:${actualPort}` : `${host}:${actualPort}`);
    }
    return bound;
  }

  /** Counts the connection against its source IP; over the limit it gets 429 and is closed. */
  private admit(socket: Socket): void {
    const limit = this.options.maxConnsPerClient ?? DEFAULT_MAX_CONNS_PER_CLIENT;
    if (limit <= 0) return;
    const ip = socket.remoteAddress ?? "unknown";
    const open = (this.connsPerIp.get(ip) ?? 0) + 1;
    if (open > limit) {
      this.metrics.observe("", "connection-limit", 429, 0);
      socket.end("HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    this.connsPerIp.set(ip, open);
    socket.once("close", () => {
      const left = (this.connsPerIp.get(ip) ?? 1) - 1;
      if (left <= 0) this.connsPerIp.delete(ip);
      else this.connsPerIp.set(ip, left);
    });
  }

  async close(): Promise<void> {
    await Promise.all(
      this.servers.splice(0).map(
        (s) =>
          new Promise<void>((resolve) => {
            s.close(() => resolve());
            s.closeAllConnections();
          }),
      ),
    );
  }

  /** The request listener (exported for tests that drive it without a socket). */
  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    const startedAt = performance.now();
    let pattern = "unmatched";
    const abort = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) abort.abort();
    });
    req.on("error", () => abort.abort());
    for (const [k, v] of Object.entries(this.options.responseHeaders ?? {})) res.setHeader(k, v);
    void this.route(req, res, abort.signal, (p) => (pattern = p))
      .catch((e: unknown) => this.fail(res, e))
      .finally(() => {
        const method = req.method ?? "";
        this.metrics.observe(method, pattern, res.statusCode, (performance.now() - startedAt) / 1000);
        this.log.debug("request complete", {
          method,
          path: req.url ?? "",
          duration: `${(performance.now() - startedAt).toFixed(3)}ms`,
        });
      });
  };

  private async route(
    req: IncomingMessage,
    res: ServerResponse,
    signal: AbortSignal,
    onPattern: (p: string) => void,
  ): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://agent.local");
    } catch {
      throw new HttpError(400, "Invalid request URL");
    }
    let match;
    try {
      match = this.router.match(req.method ?? "", url.pathname);
    } catch {
      throw new HttpError(400, "Invalid URL path encoding");
    }
    if (match.kind === "not-found") throw new HttpError(404, "404 page not found");
    onPattern(match.pattern);
    if (match.kind === "method-not-allowed") throw new HttpError(405, "Invalid method");
    const backend = this.backend;
    if (backend === undefined) throw new HttpError(503, "agent is starting");
    const ctx: RouteContext = {
      req,
      res,
      url,
      query: url.searchParams,
      params: match.params,
      backend,
      agent: this.options.agent,
      logger: this.log,
      metrics: this.metrics,
      signal,
      maxBodyBytes: this.options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    };
    const reply = await match.handler(ctx);
    if (reply !== undefined) this.write(res, url, reply);
  }

  private write(res: ServerResponse, url: URL, reply: Reply): void {
    if (res.headersSent || res.destroyed) return;
    if (reply.meta !== undefined) setMetaHeaders(res, reply.meta);
    if (reply.body === undefined) {
      res.writeHead(200);
      res.end();
      return;
    }
    const pretty =
      url.searchParams.has("pretty") && !["false", "0"].includes(url.searchParams.get("pretty") ?? "");
    const text = pretty ? JSON.stringify(reply.body, null, 4) + "\n" : JSON.stringify(reply.body);
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(text);
  }

  private fail(res: ServerResponse, e: unknown): void {
    const err = toHttpError(e);
    if (err.status >= 500 && !(e instanceof HttpError))
      this.log.error("request failed", { error: err.message });
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (res.destroyed) return;
    // A body we stopped reading (413) must not be parsed as the next request on this connection.
    if (err.status === 413) res.setHeader("Connection", "close");
    res.writeHead(err.status, { "Content-Type": "text/plain; charset=utf-8" });
    res.end(err.message);
  }
}
