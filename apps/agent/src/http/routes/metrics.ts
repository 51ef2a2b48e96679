// GET /v1/metrics: JSON (Nomad's in-memory sink shape) or Prometheus text with ?format=prometheus.
import type { RouteContext, Reply } from "../context.js";
import { HttpError } from "../errors.js";
import type { Router } from "../router.js";

export function metricsRoutes(router: Router): void {
  router.add("GET", "/v1/metrics", metrics);
}

async function metrics(ctx: RouteContext): Promise<Reply | undefined> {
  const format = ctx.query.get("format");
  if (format === "prometheus") {
    const { contentType, text } = await ctx.metrics.prometheus();
    ctx.res.writeHead(200, { "Content-Type": contentType });
    ctx.res.end(text);
    return undefined;
  }
  if (format !== null && format !== "" && format !== "json") {
    throw new HttpError(400, `Invalid format ${JSON.stringify(format)}: expected "prometheus" or no format`);
  }
  return { body: await ctx.metrics.json() };
}
