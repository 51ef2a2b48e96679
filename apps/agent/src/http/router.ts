// Nomad's paths and methods: `:name` segments capture one path segment; PUT and POST are
// interchangeable on writes; a known path with another method is a 405 `Invalid method`.
import type { RouteContext, RouteHandler } from "./context.js";

export type Method = "GET" | "PUT" | "POST" | "DELETE";
/** Nomad's writes accept either verb. */
export const WRITE: readonly Method[] = ["PUT", "POST"];

interface Route {
  readonly segments: readonly string[];
  readonly methods: ReadonlySet<string>;
  readonly handler: RouteHandler;
  /** The pattern, used as the metrics label (bounded cardinality). */
  readonly pattern: string;
}

export type RouteMatch =
  | {
      readonly kind: "ok";
      readonly handler: RouteHandler;
      readonly params: Record<string, string>;
      readonly pattern: string;
    }
  | { readonly kind: "method-not-allowed"; readonly pattern: string }
  | { readonly kind: "not-found" };

export class Router {
  private readonly routes: Route[] = [];

  add(methods: Method | readonly Method[], pattern: string, handler: RouteHandler): this {
    const list = typeof methods === "string" ? [methods] : methods;
    this.routes.push({ segments: pattern.split("/").slice(1), methods: new Set(list), handler, pattern });
    return this;
  }

  /** `path` is the raw (still percent-encoded) path; params come back decoded. */
  match(method: string, path: string): RouteMatch {
    const segments = path.split("/").slice(1);
    let best: { route: Route; params: Record<string, string>; literals: number } | undefined;
    let pathKnown: Route | undefined;
    for (const route of this.routes) {
      const m = matchSegments(route.segments, segments);
      if (m === undefined) continue;
      if (!route.methods.has(method)) {
        pathKnown ??= route;
        continue;
      }
      if (best === undefined || m.literals > best.literals)
        best = { route, params: m.params, literals: m.literals };
    }
    if (best !== undefined)
      return { kind: "ok", handler: best.route.handler, params: best.params, pattern: best.route.pattern };
    if (pathKnown !== undefined) return { kind: "method-not-allowed", pattern: pathKnown.pattern };
    return { kind: "not-found" };
  }
}

function matchSegments(
  pattern: readonly string[],
  actual: readonly string[],
): { params: Record<string, string>; literals: number } | undefined {
  if (pattern.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  let literals = 0;
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    const a = actual[i]!;
    if (p.startsWith(":")) {
      if (a === "") return undefined;
      params[p.slice(1)] = decodeURIComponent(a);
    } else if (p === a) {
      literals++;
    } else {
      return undefined;
    }
  }
  return { params, literals };
}

export type { RouteContext, RouteHandler };
