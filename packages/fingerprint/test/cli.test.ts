import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runCli } from "../src/cli/run-cli.js";
import { fixtureDir, FIXTURES } from "./helpers.js";

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
}

describe("nomad-fingerprint CLI", () => {
  it("prints a recorded host's fingerprint as JSON", async () => {
    const c = capture();
    const code = await runCli(
      ["--fixture", fixtureDir(FIXTURES.containerV1Limited), "--raw-exec", "--compact"],
      c.io,
    );
    expect(code).toBe(0);
    const fp = JSON.parse(c.out.join(""));
    expect(fp.node.Attributes["cpu.totalcompute"]).toBe("5300");
    expect(fp.node.Attributes["driver.raw_exec"]).toBe("1");
    expect(fp.node.Drivers.raw_exec.Healthy).toBe(true);
  });

  it("bad flags and bad config exit 2 and say why", async () => {
    const a = capture();
    expect(await runCli(["--nope"], a.io)).toBe(2);
    expect(a.err.join("")).toMatch(/nope/);
    const dir = mkdtempSync(path.join(tmpdir(), "fp-cli-"));
    try {
      writeFileSync(path.join(dir, "c.json"), JSON.stringify({ reserved: { memory: -1 } }));
      const b = capture();
      expect(await runCli(["--config", path.join(dir, "c.json")], b.io)).toBe(2);
      expect(b.err.join("")).toMatch(/invalid config:[\s\S]*reserved\.memory/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a source that fails is reported degraded in the output, not a crash", async () => {
    const b = capture();
    expect(
      await runCli(["--fixture", fixtureDir(FIXTURES.arm64NoNetwork), "--network-interface", "eth9"], b.io),
    ).toBe(0);
    const fp = JSON.parse(b.out.join(""));
    expect(fp.fingerprinters.network.state).toBe("degraded");
  });

  it("--help prints usage, also after the `--` that pnpm passes through", async () => {
    const c = capture();
    expect(await runCli(["--", "--help"], c.io)).toBe(0);
    expect(c.out.join("")).toMatch(/Usage: nomad-fingerprint/);
  });

  it("the package's `fingerprint` script entry (tsx src/cli.ts) prints this host as JSON", () => {
    const pkgDir = fileURLToPath(new URL("..", import.meta.url));
    const r = spawnSync("npx", ["tsx", "--conditions=@nomad/source", "src/cli.ts", "--compact"], {
      cwd: pkgDir,
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const fp = JSON.parse(r.stdout);
    expect(fp.node.Attributes["kernel.name"]).toBe(process.platform);
  }, 90_000);
});
