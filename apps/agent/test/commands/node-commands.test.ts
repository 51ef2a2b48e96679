import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeNomad } from "./fake-nomad.js";
import { ALLOCATION, NODE, NODE2_ID, NODE_ID, NODE_STUB } from "./fixtures.js";
import { lines, runCli } from "./harness.js";

let fake: FakeNomad;
beforeEach(async () => {
  fake = new FakeNomad();
  await fake.start();
});
afterEach(async () => {
  await fake.stop();
});
const nomad = (...argv: string[]) => runCli(argv, { env: { NOMAD_ADDR: fake.address } });

describe("nomad node status", () => {
  it("lists nodes with 8-character IDs", async () => {
    fake.json("GET /v1/nodes", [NODE_STUB]);
    const r = await nomad("node", "status");
    expect(lines(r.stdout)).toEqual([
      "ID        Node Pool  DC   Name    Class   Drain  Eligibility  Status",
      "f7476465  default    dc1  node-1  <none>  false  eligible     ready",
    ]);
    expect(r.code).toBe(0);
  });

  it("-verbose shows full IDs, address and version", async () => {
    fake.json("GET /v1/nodes", [NODE_STUB]);
    const r = await nomad("node", "status", "-verbose");
    expect(lines(r.stdout)).toEqual([
      "ID                                    Node Pool  DC   Name    Class   Address    Version  Drain  Eligibility  Status",
      `${NODE_ID}  default    dc1  node-1  <none>  127.0.0.1  0.1.0    false  eligible     ready`,
    ]);
  });

  it("-json prints the node list as JSON indented by four spaces", async () => {
    fake.json("GET /v1/nodes", [NODE_STUB]);
    const r = await nomad("node", "status", "-json");
    expect(r.stdout).toBe(`${JSON.stringify([NODE_STUB], null, 4)}\n`);
    expect(r.code).toBe(0);
  });

  it("says 'No nodes registered' with exit 0 when there are none", async () => {
    fake.json("GET /v1/nodes", []);
    const r = await nomad("node", "status");
    expect(r.stdout).toBe("No nodes registered\n");
    expect(r.code).toBe(0);
  });

  it("shows one node: KV block, events, allocated resources and allocations", async () => {
    fake.json("GET /v1/nodes", [NODE_STUB]);
    fake.json(`GET /v1/node/${NODE_ID}`, NODE);
    fake.json(`GET /v1/node/${NODE_ID}/allocations`, [ALLOCATION]);
    const r = await nomad("node", "status", "f747");
    expect(fake.last("GET /v1/nodes").query.get("prefix")).toBe("f747");
    expect(lines(r.stdout)).toEqual([
      `ID              = ${NODE_ID}`,
      "Name            = node-1",
      "Node Pool       = default",
      "Class           = <none>",
      "DC              = dc1",
      "Drain           = false",
      "Eligibility     = eligible",
      "Status          = ready",
      "CSI Controllers = <none>",
      "CSI Drivers     = <none>",
      "Host Volumes    = <none>",
      "Host Networks   = <none>",
      "CSI Volumes     = <none>",
      "Driver Status   = raw_exec",
      "",
      "Node Events",
      "Time                  Subsystem  Message",
      "2026-11-25T00:55:00Z  Cluster    Node marked as eligible for scheduling",
      "2026-11-25T00:50:00Z  Cluster    Node registered",
      "",
      "Allocated Resources",
      "CPU           Memory           Disk             Alloc Count",
      "100/4000 MHz  300 MiB/8.0 GiB  300 MiB/100 GiB  1",
      "",
      "Allocations",
      "ID        Node ID   Task Group  Version  Desired  Status   Created  Modified",
      "8ba85cef  f7476465  cache       0        run      running  5m ago   4m50s ago",
    ]);
    expect(r.code).toBe(0);
  });

  it("-self finds the local node through /v1/agent/self", async () => {
    fake.json("GET /v1/agent/self", { config: {}, member: {}, stats: { client: { node_id: NODE_ID } } });
    fake.json("GET /v1/nodes", [NODE_STUB]);
    fake.json(`GET /v1/node/${NODE_ID}`, NODE);
    fake.json(`GET /v1/node/${NODE_ID}/allocations`, []);
    const r = await nomad("node", "status", "-self", "-short");
    expect(fake.last("GET /v1/nodes").query.get("prefix")).toBe(NODE_ID);
    expect(r.stdout).toContain(`ID              = ${NODE_ID}`);
    expect(r.stdout).toContain("Drivers         = raw_exec");
    expect(r.stdout).toContain("No allocations placed");
    expect(r.code).toBe(0);
  });

  it("an unknown prefix and an ambiguous one are errors", async () => {
    fake.json("GET /v1/nodes", []);
    let r = await nomad("node", "status", "abcd");
    expect(r.stderr).toBe('No node(s) with prefix "abcd" found\n');
    expect(r.code).toBe(1);
    fake.json("GET /v1/nodes", [NODE_STUB, { ...NODE_STUB, ID: NODE2_ID, Name: "node-2" }]);
    r = await nomad("node", "status", "f7");
    expect(lines(r.stderr)).toEqual([
      "Prefix matched multiple nodes",
      "",
      "ID        DC   Name    Class   Drain  Eligibility  Status",
      "f7476465  dc1  node-1  <none>  false  eligible     ready",
      "f7a00001  dc1  node-2  <none>  false  eligible     ready",
    ]);
    expect(r.code).toBe(1);
  });
});

describe("nomad node drain / eligibility", () => {
  beforeEach(() => {
    fake.json("GET /v1/nodes", [NODE_STUB]);
    fake.json(`GET /v1/node/${NODE_ID}`, NODE);
    fake.json(`PUT /v1/node/${NODE_ID}/drain`, {
      EvalIDs: [],
      EvalCreateIndex: 0,
      NodeModifyIndex: 30,
      Index: 30,
    });
    fake.json(`PUT /v1/node/${NODE_ID}/eligibility`, {
      EvalIDs: [],
      EvalCreateIndex: 0,
      NodeModifyIndex: 31,
      Index: 31,
    });
  });

  it("-enable -detach sends a 1h deadline and marks eligible on completion", async () => {
    const r = await nomad("node", "drain", "-enable", "-detach", NODE_ID);
    expect(JSON.parse(fake.last(`PUT /v1/node/${NODE_ID}/drain`).body)).toEqual({
      NodeID: NODE_ID,
      DrainSpec: { Deadline: 3600e9, IgnoreSystemJobs: false },
      MarkEligible: true,
      Meta: {},
    });
    expect(r.stdout).toBe(`Node "${NODE_ID}" drain strategy set\n`);
    expect(r.code).toBe(0);
  });

  it("-no-deadline sends a zero deadline", async () => {
    const r = await nomad("node", "drain", "-enable", "-no-deadline", "-detach", NODE_ID);
    expect(JSON.parse(fake.last(`PUT /v1/node/${NODE_ID}/drain`).body).DrainSpec).toEqual({
      Deadline: 0,
      IgnoreSystemJobs: false,
    });
    expect(r.code).toBe(0);
  });

  it("-disable clears the drain strategy", async () => {
    const r = await nomad("node", "drain", "-disable", "-yes", "f747");
    expect(JSON.parse(fake.last(`PUT /v1/node/${NODE_ID}/drain`).body).DrainSpec).toBeNull();
    expect(r.stdout).toBe(`Node "${NODE_ID}" drain strategy unset\n`);
  });

  it("-enable monitors until the drain completes and the allocations stopped", async () => {
    let nodeReads = 0;
    fake.json(`GET /v1/node/${NODE_ID}`, () =>
      ++nodeReads <= 1
        ? NODE
        : { ...NODE, DrainStrategy: ++nodeReads > 3 ? null : { DrainSpec: { Deadline: 3600e9 } } },
    );
    fake.json(`GET /v1/node/${NODE_ID}/allocations`, []);
    const r = await nomad("node", "drain", "-enable", "-deadline", "10m", NODE_ID);
    expect(JSON.parse(fake.last(`PUT /v1/node/${NODE_ID}/drain`).body).DrainSpec.Deadline).toBe(600e9);
    const out = lines(r.stdout);
    expect(out[0]).toBe("2026-11-25T01:00:00Z: Ctrl-C to stop monitoring: will not cancel the node drain");
    expect(out[1]).toBe(`2026-11-25T01:00:00Z: Node "${NODE_ID}" drain strategy set`);
    expect(out).toContain(`2026-11-25T01:00:00Z: Drain complete for node ${NODE_ID}`);
    expect(out).toContain(`2026-11-25T01:00:00Z: All allocations on node "${NODE_ID}" have stopped`);
    expect(r.code).toBe(0);
  });

  it("refuses conflicting flags with Nomad's messages", async () => {
    let r = await nomad("node", "drain", NODE_ID);
    expect(r.stderr.split("\n")[0]).toBe(
      "Either the '-enable' or '-disable' flag must be set, unless using '-monitor'",
    );
    expect(r.code).toBe(1);
    r = await nomad("node", "drain", "-disable", "-deadline=1h", NODE_ID);
    expect(r.stderr.split("\n")[0]).toBe("-disable can't be combined with flags configuring drain strategy");
    r = await nomad("node", "drain", "-enable", "-deadline=soon", "-yes", NODE_ID);
    expect(r.stderr).toBe('Failed to parse deadline "soon": time: invalid duration "soon"\n');
  });

  it("eligibility -disable marks the node ineligible", async () => {
    const r = await nomad("node", "eligibility", "-disable", NODE_ID);
    expect(JSON.parse(fake.last(`PUT /v1/node/${NODE_ID}/eligibility`).body)).toEqual({
      NodeID: NODE_ID,
      Eligibility: "ineligible",
    });
    expect(r.stdout).toBe(`Node "${NODE_ID}" scheduling eligibility set: ineligible for scheduling\n`);
    expect(r.code).toBe(0);
  });

  it("eligibility -self -enable uses the local node", async () => {
    fake.json("GET /v1/agent/self", { config: {}, member: {}, stats: { client: { node_id: NODE_ID } } });
    const r = await nomad("node", "eligibility", "-self", "-enable");
    expect(r.stdout).toBe(`Node "${NODE_ID}" scheduling eligibility set: eligible for scheduling\n`);
  });

  it("-self on an agent without a client is an error", async () => {
    fake.json("GET /v1/agent/self", { config: {}, member: {}, stats: { nomad: { server: "true" } } });
    const r = await nomad("node", "eligibility", "-self", "-enable");
    expect(r.stderr).toBe("Nomad not running in client mode\n");
    expect(r.code).toBe(1);
  });
});
