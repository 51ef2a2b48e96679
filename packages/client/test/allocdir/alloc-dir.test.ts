import { existsSync, readlinkSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { AllocDir, mountPointsUnder } from "../../src/allocdir/index.js";

const roots: string[] = [];
afterEach(async () => {
  for (const d of roots.splice(0)) await rm(d, { recursive: true, force: true });
});

describe("alloc dir", () => {
  it("lays out <alloc_dir>/<alloc_id>/alloc/{data,logs,tmp} and <task>/{local,secrets,tmp,private} with an alloc link", async () => {
    const root = await mkdtemp(path.join(tmpdir(), "nomad-ad-"));
    roots.push(root);
    const ad = new AllocDir(root, "abc");
    await ad.build();
    const td = ad.taskDir("web");
    await td.build();
    expect(ad.sharedDir).toBe(path.join(root, "abc", "alloc"));
    for (const d of [
      ad.dataDir,
      ad.logsDir,
      ad.tmpDir,
      td.localDir,
      td.secretsDir,
      td.tmpDir,
      td.privateDir,
    ]) {
      expect(existsSync(d), d).toBe(true);
    }
    expect(readlinkSync(td.sharedAllocLink)).toBe(path.join("..", "alloc"));
  });

  it("building again keeps existing files (restarts and restores reuse the dirs)", async () => {
    const root = await mkdtemp(path.join(tmpdir(), "nomad-ad-"));
    roots.push(root);
    const ad = new AllocDir(root, "abc");
    await ad.build();
    const td = ad.taskDir("web");
    await td.build();
    await writeFile(path.join(td.localDir, "keep"), "x");
    await ad.build();
    await td.build();
    expect(await readFile(path.join(td.localDir, "keep"), "utf8")).toBe("x");
    await ad.destroy();
    expect(existsSync(ad.allocRoot)).toBe(false);
  });

  it("refuses names that would escape the alloc dir, naming the field", () => {
    expect(() => new AllocDir("/tmp", "../etc")).toThrow(/alloc ID/);
    expect(() => new AllocDir("/tmp", "ok").taskDir("a/b")).toThrow(/task name/);
    expect(() => new AllocDir("/tmp", "ok").taskDir("..")).toThrow(/task name/);
  });

  it.runIf(process.getuid?.() === 0 && process.platform === "linux")(
    "as root, secrets can be a tmpfs, unmounted when the alloc dir is destroyed",
    async () => {
      const root = await mkdtemp(path.join(tmpdir(), "nomad-ad-"));
      roots.push(root);
      const ad = new AllocDir(root, "sec", { secretsTmpfsMB: 1 });
      await ad.build();
      const td = ad.taskDir("web");
      await td.build();
      await td.build(); // idempotent: not mounted twice
      expect(await mountPointsUnder(ad.allocRoot)).toEqual([td.secretsDir]);
      const info = await readFile("/proc/self/mountinfo", "utf8");
      expect(info.split("\n").find((l) => l.split(" ")[4] === td.secretsDir)).toMatch(/ - tmpfs /);
      await writeFile(path.join(td.secretsDir, "token"), "s3cret");
      await ad.destroy();
      expect(await mountPointsUnder(ad.allocRoot)).toEqual([]);
      expect(existsSync(ad.allocRoot)).toBe(false);
    },
  );
});
