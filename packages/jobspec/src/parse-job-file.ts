import { parseJob, StructsValidationError, type Job } from "@nomad/structs";
import { FieldError, JobspecError } from "./errors.js";
import { hclToApiJob } from "./hcl-job.js";
import { locateHclPath } from "./hcl-locate.js";
import { restoreSourceOrder } from "./source-order.js";
import { parseHclText } from "./hcl-syntax.js";
import { unwrapJsonJob } from "./json-job.js";

export interface ParseJobFileOptions {
  /** Used in error messages (and by hcl2json in its diagnostics). */
  readonly filename: string;
  /** Default: "json" when the name ends in `.json`, else "hcl" (as `nomad job run` guesses). */
  readonly format?: "hcl" | "json";
}

/**
 * Parses a job file (HCL2 or JSON) into a canonical @nomad/structs Job. Throws
 * JobspecError: SYNTAX with line/column, INVALID_FIELD with the HCL path of a bad key,
 * INVALID_JOB with the API field paths (`TaskGroups[0].Tasks[0].Resources.CPU`).
 */
export async function parseJobFile(text: string, options: ParseJobFileOptions): Promise<Job> {
  return toJob(options.filename, await parseJobFileRaw(text, options));
}

/**
 * The job as API JSON exactly as written (no defaults, not validated against the Job
 * model): what `/v1/jobs/parse` answers when `Canonicalize` is false. Throws JobspecError
 * SYNTAX or INVALID_FIELD.
 */
export async function parseJobFileRaw(text: string, options: ParseJobFileOptions): Promise<unknown> {
  const { filename } = options;
  const format = options.format ?? (filename.toLowerCase().endsWith(".json") ? "json" : "hcl");
  try {
    return format === "json"
      ? unwrapJsonJob(parseJsonText(filename, text))
      : hclFileToApiJob(text, await parseHclText(filename, text));
  } catch (e) {
    if (e instanceof FieldError) {
      const at = format === "hcl" ? locateHclPath(text, e.path) : undefined;
      throw new JobspecError("INVALID_FIELD", filename, e.detail, { ...at, path: e.path });
    }
    throw e;
  }
}

function hclFileToApiJob(text: string, doc: Record<string, unknown>): Record<string, unknown> {
  const job = hclToApiJob(doc);
  restoreSourceOrder(text, job);
  return job;
}

/** Validates and canonicalises API JSON, re-throwing structs' errors with the file name. */
export function toJob(filename: string, apiJob: unknown): Job {
  try {
    return parseJob(apiJob);
  } catch (e) {
    if (e instanceof StructsValidationError) {
      const first = e.issues[0];
      const detail = e.issues.map((i) => `${i.path}: ${i.message}`).join("; ");
      throw new JobspecError(
        "INVALID_JOB",
        filename,
        detail,
        first === undefined ? {} : { path: first.path },
        e.issues,
      );
    }
    throw e;
  }
}

function parseJsonText(filename: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const m = /position (\d+)/.exec(message);
    if (m === null) throw new JobspecError("SYNTAX", filename, message);
    const before = text.slice(0, Number(m[1]));
    const line = before.split("\n").length;
    const column = before.length - before.lastIndexOf("\n");
    throw new JobspecError("SYNTAX", filename, message, { line, column });
  }
}
