import type { FieldIssue } from "@nomad/structs";

/**
 * What went wrong, closed so callers can switch on it:
 * - SYNTAX: the file is not valid HCL/JSON (line and column are set when the parser gave them);
 * - INVALID_FIELD: a key is unknown or its value has the wrong shape (path names it, HCL-style);
 * - INVALID_JOB: the job is well formed but breaks a rule of the Job model (path is the API field).
 */
export type JobspecErrorCode = "SYNTAX" | "INVALID_FIELD" | "INVALID_JOB";

/** Expected failure (bad input): names the file and either the line/column or the field path. */
export class JobspecError extends Error {
  constructor(
    readonly code: JobspecErrorCode,
    readonly filename: string,
    readonly detail: string,
    readonly where: { readonly line?: number; readonly column?: number; readonly path?: string } = {},
    readonly issues: readonly FieldIssue[] = [],
  ) {
    super(`${filename}${locate(where)}: ${detail}`);
    this.name = "JobspecError";
  }
  get line(): number | undefined {
    return this.where.line;
  }
  get column(): number | undefined {
    return this.where.column;
  }
  get path(): string | undefined {
    return this.where.path;
  }
}

function locate(where: { line?: number; column?: number; path?: string }): string {
  let s = "";
  if (where.line !== undefined) s += `:${where.line}`;
  if (where.column !== undefined) s += `,${where.column}`;
  if (where.path !== undefined) s += ` ${where.path}`;
  return s;
}

/** Thrown by the HCL mapper before the filename is known; parseJobFile wraps it in a JobspecError. */
export class FieldError extends Error {
  constructor(
    readonly path: string,
    readonly detail: string,
  ) {
    super(`${path}: ${detail}`);
    this.name = "FieldError";
  }
}
