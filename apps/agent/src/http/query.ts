// Query-string parameters shared by the read endpoints (index, wait, stale, prefix, namespace,
// region) and the response headers that carry QueryMeta back.
import type { ServerResponse } from "node:http";
import { parseDurationNs, type QueryMeta, type QueryOptions } from "@nomad/structs";
import { HttpError } from "./errors.js";

export function parseQueryOptions(query: URLSearchParams, defaults: { region: string }): QueryOptions {
  const q: QueryOptions = {
    Region: query.get("region") ?? defaults.region,
    Namespace: query.get("namespace") ?? "default",
  };
  const index = query.get("index");
  if (index !== null) {
    if (!/^\d+$/.test(index) || !Number.isSafeInteger(Number(index)))
      throw new HttpError(400, "Invalid index");
    q.MinQueryIndex = Number(index);
  }
  const wait = query.get("wait");
  if (wait !== null) {
    let ns: number;
    try {
      ns = parseDurationNs(wait);
    } catch {
      throw new HttpError(400, "Invalid wait time");
    }
    q.MaxQueryTime = ns;
  }
  if (parseBool(query, "stale", true) === true) q.AllowStale = true;
  const prefix = query.get("prefix");
  if (prefix !== null && prefix !== "") q.Prefix = prefix;
  return q;
}

/**
 * A boolean parameter: absent -> undefined; `?x` alone -> `bareValue`; else `true`/`false`.
 * Anything else is a 400 naming the parameter.
 */
export function parseBool(query: URLSearchParams, name: string, bareValue = true): boolean | undefined {
  const v = query.get(name);
  if (v === null) return undefined;
  if (v === "") return bareValue;
  if (v === "true" || v === "1") return true;
  if (v === "false" || v === "0") return false;
  throw new HttpError(
    400,
    `Expect \`true\` or \`false\` for \`${name}\` query string parameter, got ${JSON.stringify(v)}`,
  );
}

export function parseNonNegativeInt(query: URLSearchParams, name: string): number | undefined {
  const v = query.get(name);
  if (v === null || v === "") return undefined;
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) {
    throw new HttpError(
      400,
      `Invalid value for \`${name}\`: expected a non-negative integer, got ${JSON.stringify(v)}`,
    );
  }
  return Number(v);
}

/** X-Nomad-Index (never 0: Nomad clamps to 1 so a blocking client cannot spin), KnownLeader, LastContact. */
export function setMetaHeaders(res: ServerResponse, meta: Partial<QueryMeta>): void {
  if (typeof meta.Index === "number") setIndexHeader(res, meta.Index);
  if (typeof meta.KnownLeader === "boolean") res.setHeader("X-Nomad-KnownLeader", String(meta.KnownLeader));
  if (typeof meta.LastContact === "number")
    res.setHeader("X-Nomad-LastContact", String(Math.max(0, Math.round(meta.LastContact))));
}

export function setIndexHeader(res: ServerResponse, index: number): void {
  res.setHeader("X-Nomad-Index", String(Math.max(1, Math.floor(index))));
}

/** QueryMeta fields of an RPC reply, if it has them. */
export function metaOf(reply: unknown): Partial<QueryMeta> {
  if (typeof reply !== "object" || reply === null) return {};
  const r = reply as Record<string, unknown>;
  const meta: Partial<QueryMeta> = {};
  if (typeof r["Index"] === "number") meta.Index = r["Index"];
  if (typeof r["KnownLeader"] === "boolean") meta.KnownLeader = r["KnownLeader"];
  if (typeof r["LastContact"] === "number") meta.LastContact = r["LastContact"];
  return meta;
}
