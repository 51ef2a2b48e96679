// Request validation: every argument comes from the network. A bad request is refused with
// RpcError INVALID whose message names the field (and `details.field` carries the first path).
import { RpcError } from "@nomad/rpc";
import { formatPath, StructsValidationError } from "@nomad/structs";
import { z } from "zod";

export const optStr = z.string().optional();
const optNonNegInt = z.number().int().nonnegative().optional();

/** QueryOptions and WriteRequest fields every request may carry. */
export const queryFields = {
  Region: optStr,
  Namespace: optStr,
  MinQueryIndex: optNonNegInt,
  MaxQueryTime: z.number().nonnegative().optional(),
  AllowStale: z.boolean().optional(),
  Prefix: optStr,
  SecretID: optStr,
} as const;

export const QuerySchema = z.object(queryFields).loose();
export type Query = z.output<typeof QuerySchema>;

export function parseRequest<S extends z.ZodType>(method: string, schema: S, args: unknown): z.output<S> {
  const result = schema.safeParse(args ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
  const first = issues[0];
  throw new RpcError(
    "INVALID",
    `invalid ${method} request: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`,
    first === undefined ? undefined : { field: first.path },
  );
}

/** Runs a structs parser (parseJob, parseNode ...), turning its field errors into RpcError INVALID. */
export function parseStruct<T>(field: string, parse: (input: unknown) => T, input: unknown): T {
  try {
    return parse(input);
  } catch (error) {
    if (error instanceof StructsValidationError) {
      const first = error.issues[0];
      const path = first === undefined || first.path === "(root)" ? field : `${field}.${first.path}`;
      throw new RpcError(
        "INVALID",
        `${field}: ${error.issues.map((i) => (i.path === "(root)" ? i.message : `${i.path}: ${i.message}`)).join("; ")}`,
        { field: path },
      );
    }
    throw error;
  }
}

export function namespaceOf(query: { Namespace?: string | undefined }): string {
  return query.Namespace === undefined || query.Namespace === "" ? "default" : query.Namespace;
}

/** A list query's namespace: `*` (every namespace) kept as is, absent means `default`. */
export function listNamespace(query: { Namespace?: string | undefined }): string {
  return query.Namespace === "*" ? "*" : namespaceOf(query);
}

/** Whether an object belongs to a list query's namespace (`*` matches all). */
export function inListNamespace(query: {
  Namespace?: string | undefined;
}): (o: { Namespace: string }) => boolean {
  const namespace = listNamespace(query);
  return (o) => namespace === "*" || o.Namespace === namespace;
}
