// Client-side garbage collection on demand (Nomad's `PUT /v1/client/gc` and
// `GET /v1/client/allocation/:alloc/gc`): finished allocations of this client are destroyed
// now instead of waiting for the GC's thresholds. Empty 200 on success, as Nomad.
import type { RouteContext, Reply } from "../context.js";
import { HttpError } from "../errors.js";
import { WRITE, type Router } from "../router.js";

export function clientGcRoutes(router: Router): void {
  router.add(WRITE, "/v1/client/gc", collectAll);
  router.add(["GET", ...WRITE], "/v1/client/allocation/:alloc/gc", collectAlloc);
}

function clientOf(ctx: RouteContext) {
  const client = ctx.backend.client;
  if (client?.gc === undefined) throw new HttpError(400, "Nomad client is not enabled on this agent");
  return { client, gc: client.gc };
}

async function collectAll(ctx: RouteContext): Promise<Reply> {
  const { gc } = clientOf(ctx);
  await gc.collectAll();
  return {};
}

async function collectAlloc(ctx: RouteContext): Promise<Reply> {
  const { client, gc } = clientOf(ctx);
  const allocID = ctx.params["alloc"] ?? "";
  if (!client.hasAlloc(allocID)) throw new HttpError(404, `Unknown allocation "${allocID}"`);
  if (!(await gc.collectAlloc(allocID))) throw new HttpError(400, `allocation "${allocID}" is still running`);
  return {};
}
