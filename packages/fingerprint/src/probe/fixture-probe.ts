// Recorded hosts on disk: <dir>/host.json (everything but files) and <dir>/root/<abs path>
// for every /proc, /sys and /etc file the fingerprinters read. Loaded into a
// MemoryHostProbe, so a fixture can also be altered by a test.

import { readFileSync, readdirSync, statSync, mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { MemoryHostProbe, type HostDescription } from "./memory-probe.js";

type HostJson = Omit<HostDescription, "files">;

function walk(dir: string, rel: string, out: Record<string, string>): void {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    const relPath = `${rel}/${name}`;
    if (statSync(full).isDirectory()) walk(full, relPath, out);
    else out[relPath] = readFileSync(full, "utf8");
  }
}

export function loadHostDescription(dir: string): HostDescription {
  const json = JSON.parse(readFileSync(path.join(dir, "host.json"), "utf8")) as HostJson;
  const files: Record<string, string> = {};
  walk(path.join(dir, "root"), "", files);
  return { ...json, files };
}

export function loadFixtureProbe(dir: string): MemoryHostProbe {
  return new MemoryHostProbe(loadHostDescription(dir));
}

export function saveHostDescription(dir: string, host: HostDescription): void {
  const { files, ...rest } = host;
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "host.json"), JSON.stringify(rest, null, 2) + "\n");
  for (const [p, text] of Object.entries(files)) {
    const target = path.join(dir, "root", p);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, text);
  }
}
