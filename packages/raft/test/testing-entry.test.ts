// The "@nomad/raft/testing" entry point: only real exports, no placeholder left from the initial
// frame (an empty `export {}` there is dead text that suggests the module had nothing to export).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as testing from "@nomad/raft/testing";

describe("@nomad/raft/testing entry point", () => {
  it("holds no empty `export {}` placeholder", () => {
    const source = readFileSync(new URL("../src/testing.ts", import.meta.url), "utf8");
    expect(source).not.toMatch(/^\s*export\s*\{\s*\}\s*;?\s*$/m);
  });

  it("exports the simulator and the in-memory twins of every seam", () => {
    for (const name of [
      "runSimulation",
      "standardRun",
      "MemoryLogStore",
      "MemoryStableStore",
      "MemorySnapshotStore",
      "MemoryNetwork",
      "KvFsm",
      "encodeKvCommand",
    ]) {
      expect(typeof (testing as Record<string, unknown>)[name], name).toBe("function");
    }
  });
});
