import { parse } from "@cdktf/hcl2json";
import { JobspecError } from "./errors.js";

/**
 * Runs hcl2json (HCL2 -> JSON, through its wasm build). Its failures arrive as one string,
 * `parse config: [file:LINE,COL-COL: Summary; Detail. ...]`; the first diagnostic's position
 * is lifted out so the error names the line a user has to fix.
 */
export async function parseHclText(filename: string, text: string): Promise<Record<string, unknown>> {
  try {
    return (await parse(filename, text)) as Record<string, unknown>;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    throw syntaxError(filename, message);
  }
}

function syntaxError(filename: string, message: string): JobspecError {
  const m = /:(\d+),(\d+)(?:-\d+(?:,\d+)?)?: ([^\]]*)/.exec(message);
  if (m === null) return new JobspecError("SYNTAX", filename, message.replace(/^parse config: /, ""));
  const detail = (m[3] ?? "").replace(/\s+\S+:\d+,\d+(?:-\d+(?:,\d+)?)?: .*$/, "").trim();
  return new JobspecError("SYNTAX", filename, detail, { line: Number(m[1]), column: Number(m[2]) });
}
