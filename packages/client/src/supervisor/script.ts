// Materialises the supervisor as a standalone CommonJS script. The script text is built
// from the compiled source of `supervisorMain` and `defineFileRotator`, so one typed
// source serves both the agent (in-process rotation) and the detached supervisor.

import { createHash } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { defineFileRotator } from "../logs/file-rotator.js";
import { supervisorMain } from "./supervisor-main.js";

export function supervisorScriptSource(): string {
  return [
    '"use strict";',
    // Transpilers that keep function names (esbuild keepNames) call a module helper `__name`.
    "var __name = function (f) { return f; };",
    `var defineFileRotator = ${defineFileRotator.toString()};`,
    `var supervisorMain = ${supervisorMain.toString()};`,
    "supervisorMain(require, process.argv[2], defineFileRotator);",
    "",
  ].join("\n");
}

/**
 * Writes the script once per content under `dir` and returns its path. Content-addressed,
 * so a running supervisor's script is never rewritten under it by a newer agent.
 */
export async function ensureSupervisorScript(dir: string): Promise<string> {
  const source = supervisorScriptSource();
  const digest = createHash("sha256").update(source).digest("hex").slice(0, 16);
  const target = path.join(dir, `nomad-supervisor-${digest}.cjs`);
  const current = await readFile(target, "utf8").catch(() => undefined);
  if (current === source) return target;
  await mkdir(dir, { recursive: true });
  const tmp = `${target}.${process.pid}.tmp`;
  await writeFile(tmp, source, { mode: 0o644 });
  await rename(tmp, target);
  return target;
}
