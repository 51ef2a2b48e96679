// Eval.*: reads of evaluations and of the allocations an evaluation placed.
import { RpcError, type RpcCallContext } from "@nomad/rpc";
import type { Evaluation } from "@nomad/structs";
import { z } from "zod";
import type { EndpointContext } from "./context.js";
import { blockingQuery, mustForward } from "./query.js";
import { inListNamespace, parseRequest, queryFields } from "./request.js";
import { allocListStub } from "./stubs.js";

const EvalSpecificSchema = z
  .object({ ...queryFields, EvalID: z.string().min(1, "missing evaluation ID") })
  .loose();
const ListSchema = z
  .object({ ...queryFields, FilterJobID: z.string().optional(), FilterEvalStatus: z.string().optional() })
  .loose();

export async function evalRead(
  ctx: EndpointContext,
  method: string,
  args: unknown,
  call: RpcCallContext,
): Promise<unknown> {
  const { deps } = ctx;
  switch (method) {
    case "Eval.List": {
      const req = parseRequest(method, ListSchema, args);
      if (mustForward(deps, req)) return deps.forward(method, args);
      const inNamespace = inListNamespace(req);
      return blockingQuery(ctx, req, ["evals"], call.signal, (snap) => ({
        body: {
          Evaluations: snap
            .evalsByIDPrefix(req.Prefix ?? "")
            .filter(
              (e) =>
                inNamespace(e) &&
                (req.FilterJobID === undefined || req.FilterJobID === "" || e.JobID === req.FilterJobID) &&
                (req.FilterEvalStatus === undefined ||
                  req.FilterEvalStatus === "" ||
                  e.Status === req.FilterEvalStatus),
            ),
        },
      }));
    }
    case "Eval.GetEval": {
      const req = parseRequest(method, EvalSpecificSchema, args);
      if (mustForward(deps, req)) return deps.forward(method, args);
      return blockingQuery<{ Eval: Evaluation | null }>(ctx, req, ["evals"], call.signal, (snap) => {
        const evaluation = snap.evalByID(req.EvalID);
        return evaluation === undefined
          ? { body: { Eval: null } }
          : { body: { Eval: evaluation }, index: evaluation.ModifyIndex };
      });
    }
    case "Eval.Allocations": {
      const req = parseRequest(method, EvalSpecificSchema, args);
      if (mustForward(deps, req)) return deps.forward(method, args);
      return blockingQuery(ctx, req, ["allocs"], call.signal, (snap) => ({
        body: { Allocations: snap.allocsByEval(req.EvalID).map(allocListStub) },
      }));
    }
    default:
      throw new RpcError("UNKNOWN_METHOD", `rpc: can't find method ${method}`);
  }
}
