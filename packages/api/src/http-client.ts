import { ApiConnectionError, ApiDecodeError, ApiError } from "./errors.js";
import type { NomadApiOptions, QueryMeta, QueryOptions, QueryResult, WriteOptions } from "./types.js";

export const DEFAULT_ADDRESS = "http://127.0.0.1:4646";

type Params = Record<string, string | number | boolean | undefined | readonly string[]>;

/**
 * The transport under every NomadApi section: builds `/v1` URLs with the client's region,
 * namespace and token, turns non-2xx answers into ApiError and the X-Nomad-* headers into
 * QueryMeta. One instance per NomadApi; it holds no connection state of its own (fetch pools).
 */
export class HttpClient {
  readonly address: string;
  readonly region: string | undefined;
  readonly namespace: string | undefined;
  readonly token: string | undefined;
  private readonly fetchImpl: typeof fetch;

  constructor(options: NomadApiOptions = {}) {
    const env = options.env ?? process.env;
    this.address = normalizeAddress(options.address ?? nonEmpty(env["NOMAD_ADDR"]) ?? DEFAULT_ADDRESS);
    this.region = nonEmpty(options.region) ?? nonEmpty(env["NOMAD_REGION"]);
    this.namespace = nonEmpty(options.namespace) ?? nonEmpty(env["NOMAD_NAMESPACE"]);
    this.token = nonEmpty(options.token) ?? nonEmpty(env["NOMAD_TOKEN"]);
    this.fetchImpl = options.fetch ?? fetch;
  }

  /** A GET whose answer carries the blocking-query headers. */
  async query<T>(path: string, opts: QueryOptions = {}, extra: Params = {}): Promise<QueryResult<T>> {
    const params: Params = { ...this.baseParams(opts.region, opts.namespace) };
    if (opts.stale === true) params["stale"] = "true";
    if (opts.index !== undefined && opts.index > 0) params["index"] = opts.index;
    if (opts.wait !== undefined)
      params["wait"] = typeof opts.wait === "number" ? `${Math.max(0, Math.round(opts.wait))}ms` : opts.wait;
    if (opts.prefix !== undefined && opts.prefix !== "") params["prefix"] = opts.prefix;
    if (opts.filter !== undefined && opts.filter !== "") params["filter"] = opts.filter;
    Object.assign(params, extra, opts.params ?? {});
    const res = await this.send("GET", path, params, undefined, opts.signal);
    const value = await decodeJson<T>(res);
    return { value, meta: parseMeta(res.headers) };
  }

  /** A PUT/POST/DELETE; the decoded body (undefined for an empty one, like `/v1/system/gc`). */
  async write<T>(
    method: "PUT" | "POST" | "DELETE",
    path: string,
    body: unknown,
    opts: WriteOptions = {},
    extra: Params = {},
  ): Promise<T> {
    const params: Params = {
      ...this.baseParams(opts.region, opts.namespace),
      ...extra,
      ...(opts.params ?? {}),
    };
    const res = await this.send(method, path, params, body, opts.signal);
    return decodeJson<T>(res);
  }

  /** A request whose body the caller reads itself (streams). Non-2xx still throws ApiError. */
  async stream(
    path: string,
    params: Params,
    opts: { region?: string; namespace?: string; signal?: AbortSignal } = {},
  ): Promise<Response> {
    return this.send(
      "GET",
      path,
      { ...this.baseParams(opts.region, opts.namespace), ...params },
      undefined,
      opts.signal,
    );
  }

  url(path: string, params: Params = {}): string {
    const search = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) {
      if (v === undefined) continue;
      if (Array.isArray(v)) for (const item of v as readonly string[]) search.append(k, item);
      else search.append(k, String(v));
    }
    const q = search.toString();
    return `${this.address}${path}${q === "" ? "" : `?${q}`}`;
  }

  private baseParams(region: string | undefined, namespace: string | undefined): Params {
    const params: Params = {};
    const r = nonEmpty(region) ?? this.region;
    const ns = nonEmpty(namespace) ?? this.namespace;
    if (r !== undefined) params["region"] = r;
    if (ns !== undefined) params["namespace"] = ns;
    return params;
  }

  private async send(
    method: string,
    path: string,
    params: Params,
    body: unknown,
    signal?: AbortSignal,
  ): Promise<Response> {
    const url = this.url(path, params);
    const headers: Record<string, string> = {};
    if (this.token !== undefined) headers["X-Nomad-Token"] = this.token;
    let payload: string | undefined;
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      payload = JSON.stringify(body);
    }
    let res: Response;
    try {
      res = await this.fetchImpl(url, {
        method,
        headers,
        ...(payload === undefined ? {} : { body: payload }),
        ...(signal === undefined ? {} : { signal }),
      });
    } catch (err) {
      if (signal?.aborted === true) throw err;
      throw new ApiConnectionError(method, url, err);
    }
    if (res.status < 200 || res.status > 299) {
      let text = "";
      try {
        text = await res.text();
      } catch {
        // The body is only for the message; the status alone still says what failed.
      }
      throw new ApiError(res.status, text);
    }
    return res;
  }
}

async function decodeJson<T>(res: Response): Promise<T> {
  const text = await res.text();
  if (text.trim() === "") return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new ApiDecodeError(res.url, err instanceof Error ? err.message : String(err));
  }
}

/** Reads the X-Nomad-* headers; absent or malformed ones read as 0 / false. */
export function parseMeta(headers: Headers): QueryMeta {
  const index = Number(headers.get("X-Nomad-Index") ?? "0");
  const lastContact = Number(headers.get("X-Nomad-LastContact") ?? "0");
  const meta: QueryMeta = {
    index: Number.isFinite(index) && index >= 0 ? index : 0,
    knownLeader: headers.get("X-Nomad-KnownLeader") === "true",
    lastContact: Number.isFinite(lastContact) && lastContact >= 0 ? lastContact : 0,
  };
  const next = headers.get("X-Nomad-NextToken");
  if (next !== null && next !== "") meta.nextToken = next;
  return meta;
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === "" ? undefined : v;
}

/** Accepts `host:port` as Nomad does (NOMAD_ADDR without a scheme means http) and drops a trailing slash. */
export function normalizeAddress(address: string): string {
  let a = address.trim();
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(a)) a = `http://${a}`;
  return a.replace(/\/+$/, "");
}
