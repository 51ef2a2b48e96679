// A real limited cgroup on this machine kind (cgroup v1, root; ../shared/TOOLCHAIN.md):
// the test creates child cgroups of its own memory and cpu cgroups (so they only ever
// restrict further), with a 512 MiB memory limit and a 0.5-CPU CFS quota, runs the CLI
// inside them, and expects the limits, not the host's totals.

import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { fingerprintHost } from "@nomad/fingerprint";

function ownV1Path(controller: string): string {
  for (const line of readFileSync("/proc/self/cgroup", "utf8").split("\n")) {
    const [, controllers, p] = line.split(":");
    if (controllers?.split(",").includes(controller) && p !== undefined) return p;
  }
  throw new Error(`no v1 ${controller} cgroup for this process`);
}

const name = `fp-test-${process.pid}`;
const memDir = `/sys/fs/cgroup/memory${ownV1Path("memory").replace(/\/$/, "")}/${name}`;
const cpuDir = `/sys/fs/cgroup/cpu${ownV1Path("cpu").replace(/\/$/, "")}/${name}`;

afterAll(() => {
  for (const dir of [memDir, cpuDir]) {
    try {
      rmdirSync(dir);
    } catch {
      // Already gone, or its (exited) process not yet reaped: the kernel frees it soon.
    }
  }
});

describe("inside a real cgroup v1 with limits", () => {
  it("the CLI reports the 512 MiB memory limit and 0.5 CPU of compute, not the host's totals", async () => {
    const host = await fingerprintHost({});
    const frequency = Number(host.node.Attributes["cpu.frequency"]);
    expect(frequency).toBeGreaterThan(0);

    mkdirSync(memDir);
    writeFileSync(`${memDir}/memory.limit_in_bytes`, String(512 * 2 ** 20));
    mkdirSync(cpuDir);
    writeFileSync(`${cpuDir}/cpu.cfs_period_us`, "100000");
    writeFileSync(`${cpuDir}/cpu.cfs_quota_us`, "50000");

    const pkgDir = fileURLToPath(new URL("../..", import.meta.url));
    const r = spawnSync(
      "sh",
      [
        "-c",
        `echo $$ > ${memDir}/cgroup.procs && echo $$ > ${cpuDir}/cgroup.procs && ` +
          "exec node --import tsx --conditions=@nomad/source src/cli.ts --compact",
      ],
      { cwd: pkgDir, encoding: "utf8", timeout: 90_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    const inside = JSON.parse(r.stdout);
    expect(inside.node.Attributes["memory.totalbytes"]).toBe(String(512 * 2 ** 20));
    expect(inside.node.NodeResources.Memory.MemoryMB).toBe(512);
    expect(inside.node.Attributes["cpu.totalcompute"]).toBe(String(Math.floor(0.5 * frequency)));
    expect(inside.node.Attributes["cpu.reservablecores"]).toBe("0");
    // The host outside the cgroup is unchanged.
    expect(Number(host.node.Attributes["memory.totalbytes"])).toBeGreaterThan(512 * 2 ** 20);
  }, 120_000);
});
