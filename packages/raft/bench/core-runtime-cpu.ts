// CPU cost of the core + RaftNode alone: 3 nodes over MemoryNetwork (optionally without the wire
// codec) with memory stores, C clients, reporting µs of process CPU per acknowledged op. Used to
// tell the runtime's share of the cost from the transport's and the disk's (see raft-bench.ts).
//   npx tsx --conditions=@nomad/source bench/core-runtime-cpu.ts [--clients 64] [--seconds 3] [--encode]
import { parseArgs } from "node:util";
import { RaftNode } from "../src/runtime/raft-node.js";
import { MemoryLogStore } from "../src/storage/memory-log-store.js";
import { MemorySnapshotStore } from "../src/storage/memory-snapshot-store.js";
import { MemoryStableStore } from "../src/storage/memory-stable-store.js";
import { MemoryNetwork } from "../src/transport/memory-transport.js";
import { BenchKvFsm, makeCommand } from "./bench-kv.js";

const { values } = parseArgs({
  options: {
    clients: { type: "string", default: "64" },
    seconds: { type: "string", default: "3" },
    encode: { type: "boolean", default: false },
  },
});
const network = new MemoryNetwork({ encode: values.encode === true });
const ids = ["n1", "n2", "n3"];
const bootstrap = { servers: ids.map((id) => ({ id, address: id, suffrage: "voter" as const })) };
const nodes = await Promise.all(
  ids.map((id) =>
    RaftNode.start({
      id,
      transport: network.createTransport(id),
      logStore: new MemoryLogStore(),
      stableStore: new MemoryStableStore(),
      snapshotStore: new MemorySnapshotStore(),
      fsm: new BenchKvFsm(),
      bootstrap,
    }),
  ),
);
let leader: RaftNode<undefined> | undefined;
while ((leader = nodes.find((n) => n.state() === "leader")) === undefined)
  await new Promise((r) => setTimeout(r, 5));
const l = leader;
await l.apply(makeCommand(100, 0));
const end = performance.now() + Number(values.seconds) * 1000;
let ops = 0;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await Promise.all(
  Array.from({ length: Number(values.clients) }, async (_, ci) => {
    while (performance.now() < end) {
      await l.apply(makeCommand(100, ci));
      ops++;
    }
  }),
);
const cpu = process.cpuUsage(cpu0);
const secs = (performance.now() - t0) / 1000;
const s = l.stats();
console.log(
  JSON.stringify({
    encode: values.encode === true,
    clients: Number(values.clients),
    ops_per_s: Math.round(ops / secs),
    cpu_us_per_op: Math.round(((cpu.user + cpu.system) / ops) * 10) / 10,
    entries_per_ready: Math.round((s.entriesPersisted / s.readyBatches) * 10) / 10,
  }),
);
await Promise.all(nodes.map((n) => n.shutdown()));
process.exit(0);
