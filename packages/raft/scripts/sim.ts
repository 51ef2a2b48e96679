// `pnpm --filter @nomad/raft sim --seeds N [--seed S] [--nodes 3|5] [--verbose] [--trace]`
//   --trace also prints every message delivery; --snapshot-retention N keeps only N local
//   snapshots per node (default: all); --safety-ms T runs T virtual ms of faults (default 5000).
// Runs simulation seeds (S, S+1, ... S+N-1; S defaults to a random start unless given), prints
// progress and a summary, and exits non-zero on any failure, with the command that replays it.
import { parseArgs } from "node:util";
import { randomInt } from "node:crypto";
import { standardRun, runSimulation, type SimResult } from "@nomad/raft/testing";

const { values } = parseArgs({
  options: {
    seeds: { type: "string" },
    seed: { type: "string" },
    nodes: { type: "string" },
    verbose: { type: "boolean", default: false },
    trace: { type: "boolean", default: false },
    "snapshot-retention": { type: "string" },
    "safety-ms": { type: "string" },
  },
  strict: true,
});

function int(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) {
    console.error(`--${name} must be a non-negative integer, got ${JSON.stringify(text)}`);
    process.exit(2);
  }
  return n;
}

const firstSeed = int("seed", values.seed) ?? randomInt(0, 2 ** 31);
const count = int("seeds", values.seeds) ?? 1;
const nodes = int("nodes", values.nodes);
const retention = int("snapshot-retention", values["snapshot-retention"]);
const safetyMs = int("safety-ms", values["safety-ms"]);
const verbose = values.verbose || values.trace;
if (nodes !== undefined && nodes < 1) {
  console.error("--nodes must be at least 1");
  process.exit(2);
}

const started = process.hrtime.bigint();
const failures: SimResult[] = [];
let events = 0;
for (let i = 0; i < count; i++) {
  const seed = firstSeed + i;
  const options = standardRun(seed, {
    ...(nodes !== undefined ? { nodes } : {}),
    ...(retention !== undefined ? { snapshotRetention: retention } : {}),
    ...(safetyMs !== undefined ? { safetyMs } : {}),
    log: verbose ? (line: string) => console.log(line) : undefined,
    traceMessages: values.trace,
  });
  const result = runSimulation(options);
  events += result.stats.events;
  const s = result.stats;
  const line =
    `seed ${seed} (${result.nodes} nodes): ${result.ok ? "ok" : "FAIL"} ` +
    `events=${s.events} elections=${s.leaderElections} crashes=${s.crashes} commit=${s.highestCommitted} ` +
    `ops=${s.opsCompleted}/${s.historyLength} unknown=${s.opsUnknown} liveness=${s.livenessMs ?? "-"}ms`;
  if (!result.ok) {
    failures.push(result);
    console.log(line);
    console.log(`  ${result.violation?.message.split("\n").join("\n  ")}`);
    console.log(`  replay: ${result.replay}`);
  } else if (verbose || count <= 20 || (i + 1) % 50 === 0) {
    console.log(count > 20 && !verbose ? `${i + 1}/${count} seeds done; last: ${line}` : line);
  }
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
console.log(
  `\n${count} seeds from ${firstSeed}: ${count - failures.length} passed, ${failures.length} failed ` +
    `(${seconds.toFixed(1)}s, ${events} events)`,
);
if (failures.length > 0) {
  console.log("replay the failures with:");
  for (const f of failures) console.log(`  ${f.replay}`);
  process.exit(1);
}
