// The README's example: one RaftNode with in-memory stores; a single voter elects itself at once.
import { RaftNode } from "@nomad/raft";
import {
  KvFsm,
  MemoryLogStore,
  MemoryNetwork,
  MemorySnapshotStore,
  MemoryStableStore,
  encodeKvCommand,
} from "@nomad/raft/testing";

const fsm = new KvFsm();
const node = await RaftNode.start({
  id: "n1",
  transport: new MemoryNetwork().createTransport("n1"),
  logStore: new MemoryLogStore(),
  stableStore: new MemoryStableStore(),
  snapshotStore: new MemorySnapshotStore(),
  fsm,
  bootstrap: { servers: [{ id: "n1", address: "n1", suffrage: "voter" }] },
});
while (node.state() !== "leader") await new Promise((r) => setTimeout(r, 10));
console.log(await node.apply(encodeKvCommand({ op: "put", key: "greeting", value: "hello" }))); // { op: 'put', ok: true }
await node.linearizableRead();
console.log(fsm.get("greeting")); // hello
await node.shutdown();
