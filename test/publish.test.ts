// Packs the two libraries users import on their own (@nomad/raft, @nomad/gossip) exactly as
// `pnpm publish` would, installs the tarballs with npm into an empty folder outside the
// workspace, and imports them from plain Node ESM: no TypeScript, no source condition.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const libraries = ["raft", "gossip"] as const;

let work: string;
let consumer: string;
const tarballs = new Map<string, string>();

// Inside `pnpm test`, npm_execpath is the pnpm that runs us; use the same one.
const execPath = process.env["npm_execpath"] ?? "";
const pnpm: [string, string[]] = /pnpm/.test(execPath) ? [process.execPath, [execPath]] : ["pnpm", []];

function run(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, {
    cwd,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, npm_config_update_notifier: "false", npm_config_fund: "false" },
  });
}

function listTarball(tarball: string): string[] {
  return run("tar", ["-tzf", tarball], work)
    .split("\n")
    .filter((line) => line.length > 0);
}

function packageJsonOf(tarball: string): Record<string, unknown> {
  return JSON.parse(run("tar", ["-xzOf", tarball, "package/package.json"], work)) as Record<string, unknown>;
}

function nodeEval(code: string): string {
  return run(process.execPath, ["--input-type=module", "-e", code], consumer).trim();
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "nomad-publish-"));
  consumer = join(work, "consumer");
  for (const lib of libraries) {
    const dest = join(work, lib);
    run(pnpm[0], [...pnpm[1], "pack", "--pack-destination", dest], join(repoRoot, "packages", lib));
    const file = readdirSync(dest).find((name) => name.endsWith(".tgz"));
    if (file === undefined) throw new Error(`pnpm pack wrote no tarball for @nomad/${lib}`);
    tarballs.set(lib, join(dest, file));
  }
  run("mkdir", ["-p", consumer], work);
  writeFileSync(
    join(consumer, "package.json"),
    JSON.stringify({ name: "consumer", private: true, type: "module" }),
  );
  run("npm", ["install", "--no-audit", "--prefer-offline", ...tarballs.values()], consumer);
}, 300_000);

afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe.each(libraries)("@nomad/%s as published", (lib) => {
  it("ships dist, README and LICENSE, and no sources or tests", () => {
    const files = listTarball(tarballs.get(lib) ?? "");
    expect(files).toContain("package/README.md");
    expect(files).toContain("package/LICENSE");
    expect(files).toContain("package/dist/index.js");
    expect(files).toContain("package/dist/index.d.ts");
    expect(files.filter((f) => f.startsWith("package/src/") || f.startsWith("package/test/"))).toEqual([]);
    expect(files.filter((f) => f.endsWith(".tsbuildinfo"))).toEqual([]);
  });

  it("publishes exports without the workspace source condition or workspace: ranges", () => {
    const manifest = packageJsonOf(tarballs.get(lib) ?? "");
    const exportsJson = JSON.stringify(manifest["exports"]);
    expect(exportsJson).not.toContain("@nomad/source");
    expect(exportsJson).toContain('"types":"./dist/index.d.ts"');
    expect(JSON.stringify(manifest["dependencies"] ?? {})).not.toContain("workspace:");
  });

  it("imports from plain Node ESM and exposes a public API", () => {
    const names = JSON.parse(
      nodeEval(`const m = await import("@nomad/${lib}"); console.log(JSON.stringify(Object.keys(m)));`),
    ) as string[];
    expect(names.length).toBeGreaterThan(0);
    const testing = JSON.parse(
      nodeEval(
        `const m = await import("@nomad/${lib}/testing"); console.log(JSON.stringify(Object.keys(m)));`,
      ),
    ) as string[];
    expect(testing.length).toBeGreaterThan(0);
  });

  it("does not expose internals", () => {
    const out = nodeEval(
      `try { await import("@nomad/${lib}/dist/index.js"); console.log("importable"); } catch (e) { console.log(e.code); }`,
    );
    expect(out).toBe("ERR_PACKAGE_PATH_NOT_EXPORTED");
  });
});
