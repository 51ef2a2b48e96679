import { FieldError } from "./errors.js";

/**
 * JSON job files come in two forms: the API request body `{"Job": {...}}` (what
 * `nomad job run -json` and `PUT /v1/jobs` take) and a bare Job object. A bare job is
 * recognised by its `ID`; anything else is refused naming what was found.
 */
export function unwrapJsonJob(doc: unknown): unknown {
  if (typeof doc !== "object" || doc === null || Array.isArray(doc))
    throw new FieldError("(root)", 'expected a JSON object: {"Job": {...}} or a job');
  const rec = doc as Record<string, unknown>;
  if ("Job" in rec) {
    const job = rec["Job"];
    if (typeof job !== "object" || job === null || Array.isArray(job))
      throw new FieldError("Job", "expected a job object");
    return job;
  }
  return rec;
}
