import type { z } from "zod";

/** One validation problem, located by a Nomad-style field path such as `TaskGroups[0].Tasks[1].Resources.CPU`. */
export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

/** Renders a zod path the way Nomad users read their job JSON: `A.B[2].C`, map keys as `Meta["k"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else if (typeof key === "string" && /^[A-Za-z_][A-Za-z0-9_]*$/.test(key))
      out += out === "" ? key : `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out === "" ? "(root)" : out;
}

/**
 * Expected failure (ARCHITECTURE rule 6): bad input. `code` is closed; `issues` name every
 * offending field so an HTTP layer can answer 400 with a message that points at the field.
 */
export class StructsValidationError extends Error {
  readonly code = "INVALID_INPUT" as const;
  constructor(
    readonly kind: string,
    readonly issues: readonly FieldIssue[],
  ) {
    super(`invalid ${kind}: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`);
    this.name = "StructsValidationError";
  }
}

export function issuesFromZod(error: z.ZodError): FieldIssue[] {
  return error.issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
}

/** Parses with a schema and throws a StructsValidationError naming each bad field. */
export function parseWith<S extends z.ZodType>(kind: string, schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new StructsValidationError(kind, issuesFromZod(result.error));
  return result.data;
}
