import { Command } from "commander";
import { afterAll, beforeAll } from "vitest";
import { readFile } from "node:fs/promises";
import { normalizeArgs } from "../../src/argv.js";
import { registerApiCommands, type CliDeps } from "../../src/commands/index.js";

// Golden outputs are written in UTC; the zone is restored after the importing test file.
let savedTz: string | undefined;
beforeAll(() => {
  savedTz = process.env["TZ"];
  process.env["TZ"] = "UTC";
});
afterAll(() => {
  if (savedTz === undefined) delete process.env["TZ"];
  else process.env["TZ"] = savedTz;
});

/** 2026-11-25T01:00:00Z: the injected "now" of every command test. */
export const NOW_MS = Date.UTC(2026, 10, 25, 1, 0, 0);
export const nsAgo = (ms: number): number => (NOW_MS - ms) * 1e6;

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** Sleeps the command asked for (poll waits), in ms. */
  sleeps: number[];
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  answers?: string[];
  /** Aborts the command's signal after this many sleeps (ends follow/monitor loops). */
  abortAfterSleeps?: number;
  signal?: AbortSignal;
  /** Called with everything the command writes, as it writes it. */
  onWrite?: (stream: "stdout" | "stderr", text: string) => void;
}

/** Runs `nomad <argv>` in-process with an injected clock and captured output. */
export async function runCli(argv: string[], options: RunOptions = {}): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  let code = -1;
  const sleeps: number[] = [];
  const abort = new AbortController();
  options.signal?.addEventListener("abort", () => abort.abort());
  const answers = [...(options.answers ?? [])];
  const write =
    (to: "out" | "err") =>
    (chunk: string | Uint8Array): boolean => {
      const s = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
      if (to === "out") stdout += s;
      else stderr += s;
      options.onWrite?.(to === "out" ? "stdout" : "stderr", s);
      return true;
    };
  const deps: CliDeps = {
    stdout: { write: write("out") },
    stderr: { write: write("err") },
    env: options.env ?? {},
    now: () => NOW_MS,
    sleep: async (ms) => {
      sleeps.push(ms);
      if (options.abortAfterSleeps !== undefined && sleeps.length >= options.abortAfterSleeps) abort.abort();
      await new Promise((r) => setImmediate(r));
    },
    readFile: (path) => readFile(path, "utf8"),
    ask: async (question) => {
      stdout += `${question} `;
      return answers.shift() ?? "";
    },
    signal: abort.signal,
    exit: (c) => {
      code = c;
    },
  };
  const program = new Command("nomad").exitOverride();
  program.configureOutput({ writeOut: write("out"), writeErr: write("err") });
  registerApiCommands(program, () => deps);
  try {
    await program.parseAsync(normalizeArgs(argv), { from: "user" });
  } catch (err) {
    // commander's exitOverride: a usage error.
    if (code === -1) code = (err as { exitCode?: number }).exitCode ?? 1;
  }
  return { code, stdout, stderr, sleeps };
}

/** Lines of `text` without the final newline, for line-by-line golden comparison. */
export function lines(text: string): string[] {
  return text.replace(/\n$/, "").split("\n");
}
