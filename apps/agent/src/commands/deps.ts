import { readFile } from "node:fs/promises";
import { createInterface } from "node:readline/promises";

/** Everything a command touches outside itself; tests inject fakes (clock, output, env). */
export interface CliDeps {
  stdout: { write(chunk: string | Uint8Array): unknown };
  stderr: { write(chunk: string | Uint8Array): unknown };
  env: Record<string, string | undefined>;
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `ms` or when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  readFile(path: string): Promise<string>;
  /** Prints `question` and reads one line of answer (confirmation prompts). */
  ask(question: string): Promise<string>;
  /** Aborted on SIGINT/SIGTERM: follow and monitor loops stop cleanly. */
  signal: AbortSignal;
  /** Records the command's exit code. */
  exit(code: number): void;
  /** fetch for the API client (tests). */
  fetch?: typeof fetch;
}

export function processDeps(): CliDeps {
  const interrupt = new AbortController();
  let hooked = false;
  const hook = (): void => {
    if (hooked) return;
    hooked = true;
    const stop = (): void => interrupt.abort();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  };
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    now: () => Date.now(),
    sleep: (ms, signal) => sleep(ms, signal),
    readFile: (path) => readFile(path, "utf8"),
    ask: async (question) => {
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      try {
        return await rl.question(`${question} `);
      } finally {
        rl.close();
      }
    },
    get signal() {
      hook();
      return interrupt.signal;
    },
    exit: (code) => {
      process.exitCode = code;
    },
  };
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
