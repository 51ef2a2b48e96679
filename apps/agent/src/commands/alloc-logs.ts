import type { StreamFrame } from "@nomad/api";
import type { Allocation } from "@nomad/structs";
import { formatList } from "../format/columnize.js";
import { limit, SHORT_ID_LENGTH } from "../format/ids.js";
import { resolveAlloc } from "./alloc-lookup.js";
import { CommandError, errText, idLength, type ClientFlags, type CommandContext } from "./common.js";

export interface AllocLogsFlags extends ClientFlags {
  verbose?: boolean;
  f?: boolean;
  stderr?: boolean;
  stdout?: boolean;
  tail?: boolean;
  n?: string;
  c?: string;
  task?: string;
}

/** Lines shown by -tail without -n / -c, and Nomad's bytes-per-line guess for the offset. */
const DEFAULT_TAIL_LINES = 10;
const BYTES_PER_LINE = 120;
/** How long a followed -tail waits for the first burst before printing its last lines. */
const TAIL_SETTLE_MS = 1000;

/** `nomad alloc logs [-f] [-stderr] [-tail] [-n N] [-c B] <alloc> [task]`: raw log bytes. */
export async function allocLogs(ctx: CommandContext, args: string[], flags: AllocLogsFlags): Promise<number> {
  if (args.length < 1) {
    ctx.ui.error("An allocation ID is required");
    ctx.ui.error("For additional help try 'nomad alloc logs -help'");
    return 1;
  }
  if (args.length > 2) {
    ctx.ui.error("This command takes one or two arguments");
    ctx.ui.error("For additional help try 'nomad alloc logs -help'");
    return 1;
  }
  const verbose = flags.verbose === true;
  const found = await resolveAlloc(
    ctx,
    args[0]!,
    verbose,
    idLength(verbose),
    "Alloc ID must contain at least two characters.",
  );
  if (found.kind === "many") {
    ctx.ui.error(found.text);
    return 1;
  }
  const alloc = found.alloc;

  let task: string;
  try {
    if (flags.task !== undefined && flags.task !== "") task = validateTask(flags.task, alloc);
    else if (args.length >= 2) {
      task = args[1]!;
      if (task === "") {
        ctx.ui.error("Task name required");
        return 1;
      }
    } else task = lookupAllocTask(alloc);
  } catch (err) {
    ctx.ui.error(`Failed to validate task: ${errText(err)}`);
    return 1;
  }

  const numLines = flags.n === undefined ? -1 : parseCount(flags.n, "n");
  const numBytes = flags.c === undefined ? -1 : parseCount(flags.c, "c");
  const follow = flags.f === true;

  if (
    follow &&
    !(flags.stderr === true || flags.stdout === true || flags.tail === true || numLines > 0 || numBytes > 0)
  ) {
    try {
      await tailBoth(ctx, alloc, task);
    } catch (err) {
      ctx.ui.error(`Failed to tail stdout and stderr files: ${errText(err)}`);
      return 1;
    }
    return 0;
  }
  if (flags.stderr === true && flags.stdout === true) {
    ctx.ui.error("Unable to support both stdout and stderr");
    return 1;
  }
  const type = flags.stderr === true ? "stderr" : "stdout";
  try {
    await singleFile(ctx, alloc, task, type, follow, flags.tail === true, numLines, numBytes);
  } catch (err) {
    if (ctx.deps.signal.aborted) return 0; // Ctrl-C ends a followed stream, as in Nomad
    ctx.ui.error(`Failed to read ${type} file: ${errText(err)}`);
    return 1;
  }
  return 0;
}

function parseCount(v: string, flag: string): number {
  if (!/^-?\d+$/.test(v)) throw new CommandError(`invalid value "${v}" for flag -${flag}: parse error`);
  return Number(v);
}

async function singleFile(
  ctx: CommandContext,
  alloc: Allocation,
  task: string,
  type: "stdout" | "stderr",
  follow: boolean,
  tail: boolean,
  numLinesIn: number,
  numBytes: number,
): Promise<void> {
  const signal = ctx.deps.signal;
  if (!tail) {
    for await (const frame of ctx.api.client.logs(alloc.ID, {
      task,
      type,
      follow,
      origin: "start",
      offset: 0,
      signal,
    })) {
      ctx.deps.stdout.write(frame.Data);
    }
    return;
  }
  let numLines = numLinesIn;
  let offset = DEFAULT_TAIL_LINES * BYTES_PER_LINE;
  if (numLines !== -1 && numBytes !== -1) throw new Error("both -n and -c set");
  if (numLines !== -1) offset = numLines * BYTES_PER_LINE;
  else if (numBytes !== -1) offset = numBytes;
  else numLines = DEFAULT_TAIL_LINES;

  const frames = ctx.api.client.logs(alloc.ID, { task, type, follow, origin: "end", offset, signal });
  if (numLines === -1) {
    for await (const frame of frames) ctx.deps.stdout.write(frame.Data);
    return;
  }
  // Nomad's LineLimitReader: gather the first burst (up to the searched bytes, the end of a
  // non-followed stream, or a quiet second when following), print its last N lines, then stream.
  const searchLimit = numLines * BYTES_PER_LINE;
  const chunks: Uint8Array[] = [];
  let buffered = 0;
  let flushed = false;
  const flush = (): void => {
    if (flushed) return;
    flushed = true;
    ctx.deps.stdout.write(lastLines(Buffer.concat(chunks), numLines));
  };
  const iterator = frames[Symbol.asyncIterator]();
  let pending: Promise<IteratorResult<StreamFrame>> | null = null;
  for (;;) {
    pending ??= iterator.next();
    let result: IteratorResult<StreamFrame> | "timeout";
    if (!flushed && follow) {
      result = await Promise.race([
        pending,
        ctx.deps.sleep(TAIL_SETTLE_MS, signal).then(() => "timeout" as const),
      ]);
    } else result = await pending;
    if (result === "timeout") {
      flush();
      continue;
    }
    pending = null;
    if (result.done === true) break;
    if (flushed) {
      ctx.deps.stdout.write(result.value.Data);
      continue;
    }
    chunks.push(result.value.Data);
    buffered += result.value.Data.byteLength;
    if (buffered >= searchLimit) flush();
  }
  flush();
}

/** The last `lines` lines of `buf` (a trailing newline does not count as a line break). */
export function lastLines(buf: Uint8Array, lines: number): Uint8Array {
  let found = 0;
  let lastIndex = buf.length - 1;
  for (let i = buf.length - 1; found < lines && i >= 0; i--) {
    if (buf[i] === 0x0a) {
      lastIndex = i;
      if (i !== buf.length - 1) found++;
    }
  }
  return found === lines ? buf.subarray(lastIndex + 1) : buf;
}

async function tailBoth(ctx: CommandContext, alloc: Allocation, task: string): Promise<void> {
  const signal = ctx.deps.signal;
  const pump = async (type: "stdout" | "stderr"): Promise<void> => {
    const out = type === "stdout" ? ctx.deps.stdout : ctx.deps.stderr;
    for await (const frame of ctx.api.client.logs(alloc.ID, {
      task,
      type,
      follow: true,
      origin: "end",
      offset: 0,
      signal,
    })) {
      out.write(frame.Data);
    }
  };
  try {
    await Promise.all([pump("stdout"), pump("stderr")]);
  } catch (err) {
    if (!signal.aborted) throw err;
  }
}

function taskNames(alloc: Allocation): string[] {
  const tg = alloc.Job?.TaskGroups?.find((g) => g.Name === alloc.TaskGroup);
  if (tg === undefined) throw new Error(`Could not find allocation task group: ${alloc.TaskGroup}`);
  return tg.Tasks.map((t) => t.Name);
}

function validateTask(task: string, alloc: Allocation): string {
  const names = taskNames(alloc);
  if (names.includes(task)) return task;
  throw new Error(`Could not find task named: ${task}, found:\n${formatList(names)}`);
}

function lookupAllocTask(alloc: Allocation): string {
  const names = taskNames(alloc);
  if (names.length === 1) return names[0]!;
  const lines = names.map((n) => `  * ${n}\n`).join("");
  throw new Error(
    `Allocation "${limit(alloc.ID, SHORT_ID_LENGTH)}" is running the following tasks:\n${lines}\nPlease specify the task.`,
  );
}
