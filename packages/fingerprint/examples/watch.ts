// Fingerprints this host, prints the node, then reports real changes for 20 seconds.
//   npx tsx --conditions=@nomad/source examples/watch.ts
import { FingerprintManager } from "@nomad/fingerprint";

const manager = new FingerprintManager({
  config: {
    data_dir: "/tmp/nomad-example",
    reserved: { memory: 256 },
    drivers: { raw_exec: { enabled: true } },
  },
});
const first = await manager.start();
console.log(
  first.node.ID,
  first.node.Attributes["cpu.totalcompute"],
  "MHz,",
  first.allocatable.memoryMB,
  "MB allocatable",
);
manager.onChange(({ diff, current }) => console.log("re-register:", diff, current.node.Attributes));
setTimeout(() => manager.stop(), 20_000);
