import { describe, expect, it } from "vitest";
import { normalizeArgs, normalizeProcessArgv } from "../src/argv.js";

describe("normalizeArgs (Go-style single-dash flags for commander)", () => {
  it("turns -word and -word=value into --word and --word=value", () => {
    expect(normalizeArgs(["agent", "-dev"])).toEqual(["agent", "--dev"]);
    expect(normalizeArgs(["job", "run", "-detach", "-address=http://127.0.0.1:4646", "x.hcl"])).toEqual([
      "job",
      "run",
      "--detach",
      "--address=http://127.0.0.1:4646",
      "x.hcl",
    ]);
    expect(normalizeArgs(["-check-index", "5"])).toEqual(["--check-index", "5"]);
    expect(normalizeArgs(["-bootstrap-expect=3"])).toEqual(["--bootstrap-expect=3"]);
  });

  it("leaves single-letter flags, negative numbers and double-dash flags alone", () => {
    expect(normalizeArgs(["-h", "-f", "-n", "5", "--verbose"])).toEqual(["-h", "-f", "-n", "5", "--verbose"]);
    expect(normalizeArgs(["-1", "-1.5", "-10s"])).toEqual(["-1", "-1.5", "-10s"]);
  });

  it("leaves everything after -- untouched", () => {
    expect(normalizeArgs(["alloc", "exec", "--", "-detach", "-dev"])).toEqual([
      "alloc",
      "exec",
      "--",
      "-detach",
      "-dev",
    ]);
  });

  it("keeps node and script of process.argv", () => {
    expect(normalizeProcessArgv(["/usr/bin/node", "/x/main.ts", "-version"])).toEqual([
      "/usr/bin/node",
      "/x/main.ts",
      "--version",
    ]);
  });
});

describe("Go boolean spellings", () => {
  it("maps -flag=true to --flag and -flag=false to --no-flag", () => {
    expect(normalizeArgs(["-diff=false", "-detach=true", "--verbose=false"])).toEqual([
      "--no-diff",
      "--detach",
      "--no-verbose",
    ]);
    expect(normalizeArgs(["-address=http://x", "-region=truely"])).toEqual([
      "--address=http://x",
      "--region=truely",
    ]);
  });
});
