import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeNomad } from "./fake-nomad.js";
import { allocStub, ALLOCATION, ALLOC_ID, JOB_STUB } from "./fixtures.js";
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

function member(name: string, addr: string, region: string, dc: string): Record<string, unknown> {
  return {
    Name: name,
    Addr: addr,
    Port: 4648,
    Tags: { role: "nomad", region, dc, build: "0.1.0", raft_vsn: "3", port: "4647", vsn: "1" },
    Status: "alive",
    ProtocolMin: 1,
    ProtocolMax: 5,
    ProtocolCur: 2,
    DelegateMin: 2,
    DelegateMax: 5,
    DelegateCur: 4,
  };
}

describe("nomad server members", () => {
  it("sorts by region, dc, name and marks each region's leader", async () => {
    fake.json("GET /v1/agent/members", {
      ServerName: "s1",
      ServerRegion: "global",
      ServerDC: "dc1",
      Members: [
        member("s2.global", "10.0.0.2", "global", "dc1"),
        member("e1.europe", "10.1.0.1", "europe", "dc9"),
        member("s1.global", "10.0.0.1", "global", "dc1"),
      ],
    });
    fake.json("GET /v1/status/leader", (req) =>
      req.query.get("region") === "europe" ? "10.1.0.1:4647" : "10.0.0.2:4647",
    );
    const r = await nomad("server", "members");
    expect(lines(r.stdout)).toEqual([
      "Name       Address   Port  Status  Leader  Raft Version  Build  Datacenter  Region",
      "e1.europe  10.1.0.1  4648  alive   true    3             0.1.0  dc9         europe",
      "s1.global  10.0.0.1  4648  alive   false   3             0.1.0  dc1         global",
      "s2.global  10.0.0.2  4648  alive   true    3             0.1.0  dc1         global",
    ]);
    expect(r.code).toBe(0);
  });

  it("a failed leader lookup prints the table, a warning and exits 1", async () => {
    fake.json("GET /v1/agent/members", { Members: [member("s1.global", "10.0.0.1", "global", "dc1")] });
    fake.error("GET /v1/status/leader", 500, "No cluster leader");
    const r = await nomad("server", "members");
    expect(lines(r.stdout)[1]).toBe(
      "s1.global  10.0.0.1  4648  alive   false   3             0.1.0  dc1         global",
    );
    expect(r.stderr).toContain(
      'Error determining leaders: 1 error occurred:\n\t* Region "global": Unexpected response code: 500 (No cluster leader)',
    );
    expect(r.code).toBe(1);
  });
});

describe("nomad server join / force-leave", () => {
  it("join reports the number joined", async () => {
    fake.json("PUT /v1/agent/join", { num_joined: 2, error: "" });
    const r = await nomad("server", "join", "10.0.0.2", "10.0.0.3:4648");
    expect(fake.last("PUT /v1/agent/join").query.getAll("address")).toEqual(["10.0.0.2", "10.0.0.3:4648"]);
    expect(r.stdout).toBe("Joined 2 servers successfully\n");
    expect(r.code).toBe(0);
  });

  it("join without addresses is a usage error", async () => {
    const r = await nomad("server", "join");
    expect(r.stderr.split("\n")[0]).toBe("One or more node addresses must be given as arguments");
    expect(r.code).toBe(1);
  });

  it("join failure is 'Error joining'", async () => {
    fake.json("PUT /v1/agent/join", {
      num_joined: 0,
      error: "dial tcp 10.0.0.9:4648: connect: connection refused",
    });
    const r = await nomad("server", "join", "10.0.0.9");
    expect(r.stderr).toBe("Error joining: dial tcp 10.0.0.9:4648: connect: connection refused\n");
    expect(r.code).toBe(1);
  });

  it("force-leave -prune prints nothing on success and names the node on failure", async () => {
    fake.on("PUT /v1/agent/force-leave", (_req, res) => {
      res.writeHead(200);
      res.end();
    });
    let r = await nomad("server", "force-leave", "-prune", "s2.global");
    expect(fake.last("PUT /v1/agent/force-leave").query.get("prune")).toBe("true");
    expect(fake.last("PUT /v1/agent/force-leave").query.get("node")).toBe("s2.global");
    expect(r.stdout).toBe("");
    expect(r.code).toBe(0);
    fake.error("PUT /v1/agent/force-leave", 500, "agent: No node found with name 's9.global'");
    r = await nomad("server", "force-leave", "s9.global");
    expect(r.stderr).toBe(
      "Error force-leaving server s9.global: Unexpected response code: 500 (agent: No node found with name 's9.global')\n",
    );
    expect(r.code).toBe(1);
  });
});

describe("operator, system, agent-info", () => {
  it("operator raft list-peers sorts by node and names the leader", async () => {
    fake.json("GET /v1/operator/raft/configuration", {
      Index: 20,
      Servers: [
        {
          ID: "id-2",
          Node: "s2.global",
          Address: "10.0.0.2:4647",
          Leader: false,
          Voter: true,
          RaftProtocol: "3",
        },
        {
          ID: "id-1",
          Node: "s1.global",
          Address: "10.0.0.1:4647",
          Leader: true,
          Voter: true,
          RaftProtocol: "3",
        },
      ],
    });
    const r = await nomad("operator", "raft", "list-peers");
    expect(lines(r.stdout)).toEqual([
      "Node       ID    Address        State     Voter  RaftProtocol",
      "s1.global  id-1  10.0.0.1:4647  leader    true   3",
      "s2.global  id-2  10.0.0.2:4647  follower  true   3",
    ]);
    expect(r.code).toBe(0);
  });

  it("system gc prints nothing on success and Nomad's error otherwise", async () => {
    fake.on("PUT /v1/system/gc", (_req, res) => {
      res.writeHead(200);
      res.end();
    });
    let r = await nomad("system", "gc");
    expect(r.stdout + r.stderr).toBe("");
    expect(r.code).toBe(0);
    fake.error("PUT /v1/system/gc", 403, "Permission denied");
    r = await nomad("system", "gc");
    expect(r.stderr).toBe(
      "Error running system garbage-collection: Unexpected response code: 403 (Permission denied)\n",
    );
    expect(r.code).toBe(1);
  });

  it("agent-info prints sorted sections and keys", async () => {
    fake.json("GET /v1/agent/self", {
      config: {},
      member: {},
      stats: {
        raft: { state: "Leader", applied_index: "12" },
        nomad: { server: "true", leader: "true", bootstrap: "false" },
      },
    });
    const r = await nomad("agent-info");
    expect(lines(r.stdout)).toEqual([
      "nomad",
      "  bootstrap = false",
      "  leader = true",
      "  server = true",
      "raft",
      "  applied_index = 12",
      "  state = Leader",
    ]);
    expect(r.code).toBe(0);
  });
});

describe("global flags and status", () => {
  it("-address, -region, -namespace and -token reach the agent", async () => {
    fake.json("GET /v1/jobs", []);
    const r = await runCli(
      ["job", "status", `-address=${fake.address}`, "-region=eu", "-namespace", "prod", "-token=s3"],
      {
        env: { NOMAD_ADDR: "http://127.0.0.1:9" },
      },
    );
    expect(r.code).toBe(0);
    const req = fake.last("GET /v1/jobs");
    expect(req.query.get("region")).toBe("eu");
    expect(req.query.get("namespace")).toBe("prod");
    expect(req.headers["x-nomad-token"]).toBe("s3");
  });

  it("-namespace=* adds the Namespace column", async () => {
    fake.json("GET /v1/jobs", [JOB_STUB]);
    const r = await nomad("job", "status", "-namespace=*");
    expect(lines(r.stdout)[0]).toBe("ID       Namespace  Type     Priority  Status   Submit Date");
  });

  it("status without arguments lists jobs, with an ID dispatches to the right command", async () => {
    fake.json("GET /v1/jobs", (req) => (req.query.get("prefix") === null ? [JOB_STUB] : []));
    let r = await nomad("status");
    expect(lines(r.stdout)[0]).toBe("ID       Type     Priority  Status   Submit Date");
    fake.json("GET /v1/nodes", []);
    fake.json("GET /v1/evaluations", []);
    fake.json("GET /v1/allocations", [allocStub()]);
    fake.json(`GET /v1/allocation/${ALLOC_ID}`, ALLOCATION);
    r = await nomad("status", "8ba85cef");
    expect(lines(r.stdout)[0]).toBe(`ID                  = ${ALLOC_ID}`);
    expect(r.code).toBe(0);
  });

  it("an unknown command option is a usage error with exit 1", async () => {
    const r = await nomad("job", "status", "-bogus");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("unknown option '--bogus'");
  });
});
