// The agent's logger: hclog's line layout (what Nomad users grep for), a level that SIGHUP can
// change, and a gate that holds lines back until the startup banner has been printed.
export type LogFields = Readonly<Record<string, unknown>>;

/** Same shape as @nomad/server's and @nomad/client's Logger seam, so the agent's logger fits both. */
export interface Logger {
  trace(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A child whose lines carry `<parent>.<name>` as their subsystem (hclog's Named). */
  named(name: string): Logger;
}

export const LOG_LEVELS = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const RANK: Readonly<Record<LogLevel, number>> = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4 };

/** Upper-cases and checks a level name (Nomad accepts any case). Undefined when unknown. */
export function parseLogLevel(text: string): LogLevel | undefined {
  const up = text.trim().toUpperCase();
  return (LOG_LEVELS as readonly string[]).includes(up) ? (up as LogLevel) : undefined;
}

/**
 * Where formatted lines go. Until `open()` lines are buffered (Nomad's GatedWriter: logs written
 * while the agent starts appear after `==> Nomad agent started!`), then written straight through.
 */
export class GatedSink {
  private buffer: string[] | undefined = [];
  private dropped = 0;
  /**
   * @param maxBufferedLines bound on what is held before the banner; older lines are dropped
   * (and counted) so a start-up that logs without end cannot exhaust memory.
   */
  constructor(
    private readonly write: (text: string) => void,
    private readonly maxBufferedLines = 10_000,
  ) {}

  push(line: string): void {
    if (this.buffer === undefined) {
      this.write(line);
      return;
    }
    this.buffer.push(line);
    if (this.buffer.length > this.maxBufferedLines) {
      this.buffer.shift();
      this.dropped++;
    }
  }

  open(): void {
    const held = this.buffer ?? [];
    this.buffer = undefined;
    if (this.dropped > 0)
      this.write(`(${this.dropped} earlier log lines were dropped while the agent started)\n`);
    if (held.length > 0) this.write(held.join(""));
  }
}

/** The mutable part shared by a root logger and all its children. */
export class LogLevelControl {
  constructor(public level: LogLevel) {}
  enabled(level: LogLevel): boolean {
    return RANK[level] >= RANK[this.level];
  }
}

export interface HclogLoggerOptions {
  readonly sink: { push(line: string): void };
  readonly level: LogLevelControl;
  readonly name?: string;
  /** Injected for tests; defaults to the wall clock. */
  readonly now?: () => Date;
  /** hclog's JSON layout (`log_json = true`): one object per line. */
  readonly json?: boolean;
}

export class HclogLogger implements Logger {
  constructor(private readonly options: HclogLoggerOptions) {}

  trace(message: string, fields?: LogFields): void {
    this.log("TRACE", message, fields);
  }
  debug(message: string, fields?: LogFields): void {
    this.log("DEBUG", message, fields);
  }
  info(message: string, fields?: LogFields): void {
    this.log("INFO", message, fields);
  }
  warn(message: string, fields?: LogFields): void {
    this.log("WARN", message, fields);
  }
  error(message: string, fields?: LogFields): void {
    this.log("ERROR", message, fields);
  }

  named(name: string): Logger {
    const parent = this.options.name;
    return new HclogLogger({
      ...this.options,
      name: parent === undefined || parent === "" ? name : `${parent}.${name}`,
    });
  }

  private log(level: LogLevel, message: string, fields: LogFields | undefined): void {
    if (!this.options.level.enabled(level)) return;
    const now = (this.options.now ?? (() => new Date()))();
    const format = this.options.json === true ? formatJsonLogLine : formatLogLine;
    this.options.sink.push(format(now, level, this.options.name, message, fields));
  }
}

/** `2026-11-25T01:02:03.123Z [INFO]  nomad: message: key=value` (hclog's default layout). */
export function formatLogLine(
  at: Date,
  level: LogLevel,
  name: string | undefined,
  message: string,
  fields?: LogFields,
): string {
  let line = `${formatTimestamp(at)} ${`[${level}]`.padEnd(7)} `;
  if (name !== undefined && name !== "") line += `${name}: `;
  line += message;
  const pairs = Object.entries(fields ?? {}).filter(([, v]) => v !== undefined);
  if (pairs.length > 0) line += ": " + pairs.map(([k, v]) => `${k}=${formatValue(v)}`).join(" ");
  return line + "\n";
}

/** `{"@level":"info","@message":...,"@module":"nomad","@timestamp":...,"key":value}` (hclog's JSON layout). */
export function formatJsonLogLine(
  at: Date,
  level: LogLevel,
  name: string | undefined,
  message: string,
  fields?: LogFields,
): string {
  const record: Record<string, unknown> = { "@level": level.toLowerCase(), "@message": message };
  if (name !== undefined && name !== "") record["@module"] = name;
  record["@timestamp"] = formatTimestamp(at);
  for (const [k, v] of Object.entries(fields ?? {})) {
    if (v !== undefined) record[k] = v instanceof Error ? v.message : v;
  }
  try {
    return JSON.stringify(record) + "\n";
  } catch {
    return (
      JSON.stringify({
        ...record,
        ...Object.fromEntries(Object.keys(fields ?? {}).map((k) => [k, String(fields?.[k])])),
      }) + "\n"
    );
  }
}

/** Go's `2006-01-02T15:04:05.000Z0700` in local time: `Z` at UTC, else `+hhmm`. */
export function formatTimestamp(at: Date): string {
  const offsetMin = -at.getTimezoneOffset();
  const p = (n: number, w = 2): string => String(n).padStart(w, "0");
  const date = `${at.getFullYear()}-${p(at.getMonth() + 1)}-${p(at.getDate())}`;
  const time = `${p(at.getHours())}:${p(at.getMinutes())}:${p(at.getSeconds())}.${p(at.getMilliseconds(), 3)}`;
  if (offsetMin === 0) return `${date}T${time}Z`;
  const sign = offsetMin > 0 ? "+" : "-";
  const abs = Math.abs(offsetMin);
  return `${date}T${time}${sign}${p(Math.floor(abs / 60))}${p(abs % 60)}`;
}

function formatValue(v: unknown): string {
  if (v instanceof Error) return quoteIfNeeded(v.message);
  if (typeof v === "string") return quoteIfNeeded(v);
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  if (v === null) return "<nil>";
  if (Array.isArray(v))
    return `[${v.map((x) => (typeof x === "string" ? JSON.stringify(x) : formatValue(x))).join(", ")}]`;
  try {
    return quoteIfNeeded(JSON.stringify(v));
  } catch {
    return quoteIfNeeded(String(v));
  }
}

// hclog quotes a value when it has spaces or characters that would make the line ambiguous.
function quoteIfNeeded(s: string): string {
  return s === "" || /[\s"=\\]/.test(s) || /[^\x20-\x7e]/.test(s) ? JSON.stringify(s) : s;
}

export const silentLogger: Logger = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  named: () => silentLogger,
};
