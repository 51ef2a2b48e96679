// Reads `-config` paths: files (HCL, or JSON when the name ends in .json) and folders (their
// .hcl/.json files in name order, as Nomad's LoadConfigDir). Each file is validated on its own so
// an error names the file it came from.
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { parse as parseHcl } from "@cdktf/hcl2json";
import { ConfigError, describeIssue } from "./errors.js";
import { isPlainObject, normalizeBlocks } from "./normalize.js";
import { AgentConfigSchema, type PartialAgentConfig } from "./schema.js";

export interface LoadedFiles {
  /** Every file read, in merge order (folders expanded). */
  readonly files: string[];
  readonly partials: PartialAgentConfig[];
}

export async function loadConfigPaths(paths: readonly string[]): Promise<LoadedFiles> {
  const files: string[] = [];
  const partials: PartialAgentConfig[] = [];
  for (const path of paths) {
    let isDir: boolean;
    try {
      isDir = (await stat(path)).isDirectory();
    } catch (e) {
      throw ConfigError.inFile(path, errorText(e));
    }
    const members = isDir ? await configFilesIn(path) : [path];
    for (const file of members) {
      partials.push(await loadConfigFile(file));
      files.push(file);
    }
  }
  return { files, partials };
}

async function configFilesIn(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && /\.(hcl|json)$/i.test(e.name) && !isEditorTemp(e.name))
    .map((e) => e.name)
    .sort()
    .map((name) => join(dir, name));
}

// Nomad skips editor leftovers in config folders.
function isEditorTemp(name: string): boolean {
  return name.startsWith(".#") || name.endsWith("~") || name.startsWith(".");
}

/** Reads, parses, normalises and validates one file; returns its keys as written (no defaults). */
export async function loadConfigFile(file: string): Promise<PartialAgentConfig> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    throw ConfigError.inFile(file, errorText(e));
  }
  return parseConfigText(file, text);
}

export async function parseConfigText(file: string, text: string): Promise<PartialAgentConfig> {
  let raw: unknown;
  if (/\.json$/i.test(file)) {
    try {
      raw = JSON.parse(text) as unknown;
    } catch (e) {
      throw ConfigError.inFile(file, errorText(e));
    }
  } else {
    try {
      raw = await parseHcl(file, text);
    } catch (e) {
      throw ConfigError.inFile(file, hclErrorText(errorText(e)));
    }
  }
  const normalized = normalizeBlocks(raw);
  if (!isPlainObject(normalized)) throw ConfigError.inFile(file, "expected an object at the top level");
  validatePartial(file, normalized);
  return normalized;
}

/** Checks one source against the schema; the parsed output (with defaults) is thrown away. */
export function validatePartial(source: string, partial: PartialAgentConfig): void {
  const r = AgentConfigSchema.safeParse(partial);
  if (r.success) return;
  const first = r.error.issues[0];
  if (first === undefined) return;
  const { key, detail } = describeIssue(first);
  throw ConfigError.inFile(source, detail, key);
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

// hcl2json: `parse config: [a.hcl:1,20-21: Invalid expression; Expected ...]` -> `line 1, column 20: Invalid expression; Expected ...`
function hclErrorText(message: string): string {
  const m = /:(\d+),(\d+)(?:-\d+(?:,\d+)?)?: ([^\]]*)/.exec(message);
  if (m === null) return message.replace(/^parse config: /, "");
  return `line ${m[1]}, column ${m[2]}: ${(m[3] ?? "").trim()}`;
}
