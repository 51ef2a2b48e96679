// The two sources of physical memory on the real host: node:os (default, sysinfo(2)) and
// node-os-utils (/proc/meminfo, opt-in). They must give the same figure, so the choice is
// only about cost; and the default must not load node-os-utils at all (its load time was
// most of a fresh process's first fingerprint).

import { spawnSync } from "node:child_process";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { LiveHostProbe } from "@nomad/fingerprint";
import { countChildProcesses } from "@nomad/fingerprint/testing";

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

describe("LiveHostProbe memory sources", () => {
  it("node:os and node-os-utils report the same physical memory", async () => {
    const viaOs = await new LiveHostProbe().memInfo();
    const counter = countChildProcesses();
    try {
      const viaNodeOsUtils = await new LiveHostProbe({ memorySource: "node-os-utils" }).memInfo();
      expect(viaNodeOsUtils.totalBytes).toBe(viaOs.totalBytes);
      // memory.info() reads /proc/meminfo; it must not shell out either.
      expect(counter.commands()).toEqual([]);
    } finally {
      counter.restore();
    }
    expect(viaOs.totalBytes).toBe(os.totalmem());
  });

  it("a default fingerprint never loads node-os-utils; the opt-in source does", () => {
    // A fresh process: this test file's own import of node-os-utils must not count.
    const script = `
        import { createRequire } from "node:module";
        import { fingerprintHost, LiveHostProbe } from "@nomad/fingerprint";
        const require = createRequire(import.meta.url);
        const loaded = () => Object.keys(require.cache).some((k) => k.includes("node-os-utils"));
        await fingerprintHost({});
        const afterDefault = loaded();
        await new LiveHostProbe({ memorySource: "node-os-utils" }).memInfo();
        console.log(JSON.stringify({ afterDefault, afterOptIn: loaded() }));
      `;
    const r = spawnSync(
      process.execPath,
      ["--conditions=@nomad/source", "--import", "tsx", "--input-type=module", "-e", script],
      { cwd: packageDir, encoding: "utf8", timeout: 60_000 },
    );
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout.trim())).toEqual({ afterDefault: false, afterOptIn: true });
  }, 90_000);
});
