import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FileRotatorImpl } from "../../src/logs/index.js";
import { supervisorScriptSource } from "../../src/supervisor/script.js";

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function dir(): Promise<string> {
  const d = await mkdtemp(path.join(tmpdir(), "nomad-logs-"));
  dirs.push(d);
  return d;
}

const files = async (d: string): Promise<string[]> =>
  (await readdir(d)).sort((a, b) => a.localeCompare(b, "en", { numeric: true }));

describe("log file rotation (logmon)", () => {
  it("starts at <base>.0 and splits a write across files at max size", async () => {
    const d = await dir();
    const w = new FileRotatorImpl({ dir: d, baseName: "web.stdout", maxFiles: 10, maxFileSizeBytes: 4 });
    w.write(Buffer.from("abcdefghij"));
    w.close();
    expect(await files(d)).toEqual(["web.stdout.0", "web.stdout.1", "web.stdout.2"]);
    expect(await readFile(path.join(d, "web.stdout.0"), "utf8")).toBe("abcd");
    expect(await readFile(path.join(d, "web.stdout.2"), "utf8")).toBe("ij");
  });

  it("keeps only the newest max_files files", async () => {
    const d = await dir();
    const w = new FileRotatorImpl({ dir: d, baseName: "web.stderr", maxFiles: 2, maxFileSizeBytes: 2 });
    for (let i = 0; i < 5; i++) w.write(Buffer.from(`${i}${i}`));
    w.write(Buffer.from("x"));
    w.close();
    expect(await files(d)).toEqual(["web.stderr.4", "web.stderr.5"]);
  });

  it("a new writer (task or supervisor restart) appends to the highest existing index", async () => {
    const d = await dir();
    await writeFile(path.join(d, "web.stdout.0"), "old0");
    await writeFile(path.join(d, "web.stdout.3"), "ab");
    await writeFile(path.join(d, "other.stdout.9"), "zz");
    const w = new FileRotatorImpl({ dir: d, baseName: "web.stdout", maxFiles: 10, maxFileSizeBytes: 4 });
    expect(w.currentIndex()).toBe(3);
    w.write(Buffer.from("cdef"));
    w.close();
    expect(await readFile(path.join(d, "web.stdout.3"), "utf8")).toBe("abcd");
    expect(await readFile(path.join(d, "web.stdout.4"), "utf8")).toBe("ef");
  });

  it("refuses nonsensical limits, naming them", () => {
    expect(
      () => new FileRotatorImpl({ dir: "/tmp", baseName: "x", maxFiles: 0, maxFileSizeBytes: 1 }),
    ).toThrow(/maxFiles/);
  });

  it("the supervisor script embeds the same rotation code and is standalone CommonJS", () => {
    const src = supervisorScriptSource();
    expect(src).toContain("supervisorMain(require, process.argv[2], defineFileRotator)");
    expect(() => new Function("require", "process", src)).not.toThrow();
  });
});
