// The agent command as a real process: Nomad's single-dash flags reach it, and a refused
// configuration prints `==> ...` on stderr with exit code 1.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const agentDir = fileURLToPath(new URL("../..", import.meta.url));

function nomad(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "--conditions=@nomad/source", "src/main.ts", ...args],
      { cwd: agentDir, encoding: "utf8", timeout: 120_000 },
      (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : Number(error.code ?? 1), stdout, stderr }),
    );
  });
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "agent-proc-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("nomad agent (process)", () => {
  it("without -server, -client or -dev it refuses to start", async () => {
    const r = await nomad(["agent", `-data-dir=${dir}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("==> Must specify either server, client or dev mode for the agent.\n");
  });

  it("a config error names the file and key", async () => {
    const bad = join(dir, "a.hcl");
    await writeFile(bad, `server {\n  enabled = true\n  bootstrap_expect = "three"\n}\n`);
    const r = await nomad(["agent", `-config=${bad}`, `-data-dir=${dir}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `==> Error loading configuration from ${bad}: server.bootstrap_expect: expected a number\n`,
    );
  });
});
