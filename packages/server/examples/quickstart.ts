// The README's example: a dev-mode server that leads itself and answers RPC in-process.
import { NomadServer } from "@nomad/server";

const server = await NomadServer.start({
  name: "s1",
  devMode: true,
  bootstrapExpect: 1,
  rpcPort: 0,
  serfPort: 0,
});
while (!server.isLeader()) await new Promise((r) => setTimeout(r, 10));
console.log(await server.rpc.call("Status.Leader", {})); // "127.0.0.1:<port>"
console.log(await server.rpc.call("Job.List", {})); // { Jobs: [], Index: 1, KnownLeader: true, ... }
await server.shutdown();
