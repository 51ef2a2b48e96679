import { z } from "zod";
import { formatDurationNs, parseDurationNs } from "@nomad/structs";

// The Go duration parser lives in @nomad/structs (job files and agent config share it);
// re-exported so that @nomad/gc's public API keeps `parseDurationNs` / `formatDurationNs`.
export { formatDurationNs, parseDurationNs };

/**
 * A config duration: Nomad's string forms, or a non-negative integer of nanoseconds (the
 * form Nomad's JSON API uses for time.Duration). Output is always nanoseconds. Negative
 * strings are refused (parseDurationNs's default): a negative GC threshold means nothing.
 */
export function durationNs(fallback: string) {
  return z
    .union([z.string(), z.number().int().nonnegative()])
    .optional()
    .transform((v, ctx): number => {
      if (v === undefined) return parseDurationNs(fallback);
      if (typeof v === "number") return v;
      try {
        return parseDurationNs(v);
      } catch (e) {
        ctx.addIssue({ code: "custom", message: (e as Error).message });
        return z.NEVER;
      }
    });
}
