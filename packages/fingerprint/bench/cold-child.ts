// One cold fingerprint: run as a fresh child process by fingerprint.bench.ts, so the
// figure includes everything a starting Nomad client pays once (JIT, first reads of /proc
// and /sys, lazy initialisation in our dependencies) and, on a first start, creating the
// node ID file with its fsyncs. Prints one JSON line.
//   argv[2]: data dir ("" for none); argv[3]: memory source, "node:os" (default) or
//   "node-os-utils"

import { performance } from "node:perf_hooks";

const t0 = performance.now();
const { fingerprintHost, LiveHostProbe } = await import("@nomad/fingerprint");
const importMs = performance.now() - t0;

const dataDir = process.argv[2] ?? "";
const memorySource = process.argv[3] === "node-os-utils" ? "node-os-utils" : "node:os";
const t1 = performance.now();
const fp = await fingerprintHost({
  config: dataDir === "" ? {} : { data_dir: dataDir },
  probe: new LiveHostProbe({ memorySource }),
});
const fingerprintMs = performance.now() - t1;

const degraded = Object.entries(fp.fingerprinters)
  .filter(([, s]) => s.state === "degraded")
  .map(([name]) => name);
process.stdout.write(JSON.stringify({ importMs, fingerprintMs, degraded }) + "\n");
