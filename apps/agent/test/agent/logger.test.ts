import { describe, expect, it } from "vitest";
import {
  formatJsonLogLine,
  formatLogLine,
  GatedSink,
  HclogLogger,
  LogLevelControl,
  parseLogLevel,
} from "../../src/agent/logger.js";

const AT = new Date("2026-11-25T01:02:03.123Z");

describe("hclog-style log lines", () => {
  it("timestamp, padded level, subsystem, message, key=value pairs", () => {
    const line = formatLogLine(AT, "INFO", "nomad", "starting scheduling worker(s)", {
      num_workers: 2,
      schedulers: ["service", "batch"],
    });
    expect(line.slice(line.indexOf(" "))).toBe(
      ' [INFO]  nomad: starting scheduling worker(s): num_workers=2 schedulers=["service", "batch"]\n',
    );
    expect(line).toMatch(/^2026-11-2\dT\d\d:02:03\.123(Z|[+-]\d{4}) /);
  });

  it("quotes values with spaces, shows errors by message, leaves out undefined fields", () => {
    const line = formatLogLine(AT, "ERROR", "client", "failed", {
      error: new Error("no such file"),
      path: "/a b",
      skipped: undefined,
      ok: true,
    });
    expect(line.endsWith(' [ERROR] client: failed: error="no such file" path="/a b" ok=true\n')).toBe(true);
  });

  it("named() chains subsystems with dots; the level filters and can change at runtime", () => {
    const lines: string[] = [];
    const level = new LogLevelControl("INFO");
    const log = new HclogLogger({ sink: { push: (l) => lines.push(l) }, level, now: () => AT })
      .named("client")
      .named("alloc_runner");
    log.debug("hidden");
    log.info("shown", { alloc_id: "a1" });
    level.level = "TRACE";
    log.trace("now shown");
    expect(lines.map((l) => l.slice(l.indexOf(" ") + 1))).toEqual([
      "[INFO]  client.alloc_runner: shown: alloc_id=a1\n",
      "[TRACE] client.alloc_runner: now shown\n",
    ]);
  });

  it("the gate holds lines until opened, then writes them in order and passes later ones through", () => {
    const written: string[] = [];
    const sink = new GatedSink((t) => written.push(t));
    sink.push("a\n");
    sink.push("b\n");
    expect(written).toEqual([]);
    sink.open();
    sink.push("c\n");
    expect(written).toEqual(["a\nb\n", "c\n"]);
  });

  it("the gate holds a bounded number of lines and says how many it dropped", () => {
    const written: string[] = [];
    const sink = new GatedSink((t) => written.push(t), 2);
    for (const l of ["1\n", "2\n", "3\n", "4\n"]) sink.push(l);
    sink.open();
    expect(written).toEqual(["(2 earlier log lines were dropped while the agent started)\n", "3\n4\n"]);
  });

  it("log_json: one JSON object per line with hclog's @-keys", () => {
    const line = formatJsonLogLine(AT, "WARN", "client", "slow", { alloc_id: "a1", n: 2 });
    const record = JSON.parse(line) as Record<string, unknown>;
    expect(record).toMatchObject({
      "@level": "warn",
      "@message": "slow",
      "@module": "client",
      alloc_id: "a1",
      n: 2,
    });
    expect(line.endsWith("}\n")).toBe(true);
  });

  it("parses level names in any case and refuses unknown ones", () => {
    expect(parseLogLevel("debug")).toBe("DEBUG");
    expect(parseLogLevel(" Warn ")).toBe("WARN");
    expect(parseLogLevel("verbose")).toBeUndefined();
  });
});
