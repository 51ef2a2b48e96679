// The periodic refresh must not start processes (README, Performance: 0 per refresh).
// Checked on the real host with real timers and short intervals, with a positive control
// proving the counter sees node-os-utils' shell calls.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { OSUtils } from "node-os-utils";
import { FingerprintManager, LiveHostProbe } from "@nomad/fingerprint";
import { countChildProcesses, type ChildProcessCounter } from "@nomad/fingerprint/testing";

let counter: ChildProcessCounter | undefined;
const dirs: string[] = [];
afterEach(() => {
  counter?.restore();
  counter = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

class CountingProbe extends LiveHostProbe {
  reads = 0;
  override async readText(file: string): Promise<string> {
    this.reads++;
    return super.readText(file);
  }
}

describe("no child process on fingerprinting", () => {
  it("control: the counter sees node-os-utils shelling out (disk.info runs df)", async () => {
    counter = countChildProcesses();
    await new OSUtils({ cacheEnabled: false }).disk.info();
    expect(counter.count()).toBeGreaterThan(0);
  });

  it("start plus 1.5 s or more of periodic refreshes at 50 ms intervals spawn nothing", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "fp-nospawn-"));
    dirs.push(dataDir);
    const probe = new CountingProbe();
    const intervals = {
      cpu: 50,
      memory: 50,
      cgroup: 50,
      "driver.raw_exec": 50,
      "driver.exec": 50,
      "driver.mock_driver": 50,
    };
    counter = countChildProcesses();
    const manager = new FingerprintManager({
      probe,
      config: {
        data_dir: dataDir,
        periodic_intervals_ms: intervals,
        drivers: { mock_driver: { enabled: true } },
      },
    });
    await manager.start();
    const readsAfterStart = probe.reads;
    // At least 1.5 s of refreshes, longer if a loaded machine delays the timers.
    const t0 = Date.now();
    while (Date.now() - t0 < 1_500 || (probe.reads - readsAfterStart <= 20 && Date.now() - t0 < 20_000)) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    manager.stop();
    // Refreshes really ran (several reads per cpu/memory/cgroup refresh) ...
    expect(probe.reads - readsAfterStart).toBeGreaterThan(20);
    // ... and none of them, nor the start, started a process.
    expect(counter.commands()).toEqual([]);
  });
});
