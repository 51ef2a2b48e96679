import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  ConfigError,
  agentDirs,
  durationMs,
  loadAgentConfig,
  mergeConfigs,
  rawExecEnabled,
  resolveConfig,
} from "../../src/agent/config/index.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "agent-config-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

async function loadError(promise: Promise<unknown>): Promise<ConfigError> {
  const e = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ConfigError);
  return e as ConfigError;
}

describe("agent config defaults", () => {
  it("has Nomad's defaults: ports 4646/4647/4648, region global, dc1, bind 0.0.0.0, INFO", () => {
    const c = resolveConfig([{ server: { enabled: true } }], { hostname: () => "host-a" });
    expect(c.ports).toEqual({ http: 4646, rpc: 4647, serf: 4648 });
    expect(c.region).toBe("global");
    expect(c.datacenter).toBe("dc1");
    expect(c.bind_addr).toBe("0.0.0.0");
    expect(c.log_level).toBe("INFO");
    expect(c.name).toBe("host-a");
    expect(c.server.bootstrap_expect).toBe(0);
    expect(c.leave_on_interrupt).toBe(false);
    expect(c.leave_on_terminate).toBe(false);
    expect(durationMs(c.server.heartbeat_grace)).toBe(10_000);
    expect(durationMs(c.server.node_gc_threshold)).toBe(24 * 3600_000);
    expect(c.client.node_pool).toBe("default");
    expect(rawExecEnabled(c)).toBe(false);
  });

  it("-dev: server and client, bind 127.0.0.1, DEBUG, bootstrap_expect 1, raw_exec on, node name = hostname", async () => {
    const { config, dev, files, warnings } = await loadAgentConfig(
      { dev: true },
      { hostname: () => "devbox" },
    );
    expect(dev).toBe(true);
    expect(files).toEqual([]);
    expect(config.server.enabled).toBe(true);
    expect(config.client.enabled).toBe(true);
    expect(config.bind_addr).toBe("127.0.0.1");
    expect(config.log_level).toBe("DEBUG");
    expect(config.server.bootstrap_expect).toBe(1);
    expect(rawExecEnabled(config)).toBe(true);
    expect(config.name).toBe("devbox");
    expect(agentDirs(config)).toEqual({});
    expect(warnings).toContain("WARNING: Bootstrap mode enabled! Potentially unsafe operation.");
  });

  it("-dev flags still win over the dev profile (-bind, -log-level)", async () => {
    const { config } = await loadAgentConfig({ dev: true, bind: "0.0.0.0", logLevel: "warn" });
    expect(config.bind_addr).toBe("0.0.0.0");
    expect(config.log_level).toBe("WARN");
  });
});

describe("agent config files", () => {
  it("reads HCL blocks (arrays from hcl2json) and JSON, later files win", async () => {
    const a = await file(
      "a.hcl",
      `data_dir = "/var/nomad"
region = "eu"
ports {
  http = 5656
}
server {
  enabled = true
  bootstrap_expect = 3
  server_join {
    retry_join = ["10.0.0.1"]
  }
}
plugin "raw_exec" {
  config {
    enabled = true
  }
}
`,
    );
    const b = await file(
      "b.json",
      JSON.stringify({ region: "us", ports: { rpc: 5757 }, server: { bootstrap_expect: 5 } }),
    );
    const { config, files } = await loadAgentConfig({ config: [a, b] });
    expect(files).toEqual([a, b]);
    expect(config.region).toBe("us");
    expect(config.ports).toEqual({ http: 5656, rpc: 5757, serf: 4648 });
    expect(config.server.bootstrap_expect).toBe(5);
    expect(config.server.server_join.retry_join).toEqual(["10.0.0.1"]);
    expect(rawExecEnabled(config)).toBe(true);
    expect(agentDirs(config)).toEqual({
      server: "/var/nomad/server",
      clientState: "/var/nomad/client",
      clientAlloc: "/var/nomad/alloc",
      plugins: "/var/nomad/plugins",
    });
  });

  it("a folder contributes its .hcl/.json files in name order and skips others", async () => {
    const sub = join(dir, "conf.d");
    await mkdir(sub);
    await writeFile(join(sub, "20-b.hcl"), `datacenter = "dc-b"\n`);
    await writeFile(
      join(sub, "10-a.json"),
      JSON.stringify({ datacenter: "dc-a", data_dir: "/d", client: { enabled: true } }),
    );
    await writeFile(join(sub, "README.md"), "not config");
    const { config, files } = await loadAgentConfig({ config: [sub] });
    expect(files).toEqual([join(sub, "10-a.json"), join(sub, "20-b.hcl")]);
    expect(config.datacenter).toBe("dc-b");
  });

  it("merges maps key by key and appends client servers and server join lists; flags merge last", async () => {
    const a = await file(
      "a.hcl",
      `data_dir = "/d"
client {
  enabled = true
  servers = ["s1:4647"]
  meta {
    rack = "r1"
    zone = 1
  }
}
`,
    );
    const b = await file("b.hcl", `client {\n  servers = ["s2"]\n  meta {\n    rack = "r2"\n  }\n}\n`);
    const { config } = await loadAgentConfig({ config: [a, b], servers: "s3,s4", meta: ["team=x"] });
    expect(config.client.servers).toEqual(["s1:4647", "s2", "s3", "s4"]);
    expect(config.client.meta).toEqual({ rack: "r2", zone: "1", team: "x" });
  });

  it("mergeConfigs replaces scalars and non-appended lists", () => {
    const merged = mergeConfigs(
      { log_level: "INFO", server: { server_join: { retry_join: ["a"] } } },
      { log_level: "DEBUG", server: { server_join: { retry_join: ["b"] } } },
    );
    expect(merged).toEqual({ log_level: "DEBUG", server: { server_join: { retry_join: ["b"] } } });
  });

  it("flags map onto their keys", async () => {
    const { config } = await loadAgentConfig({
      server: true,
      client: true,
      dataDir: "/data",
      bootstrapExpect: "3",
      region: "r1",
      dc: "d1",
      node: "n1",
      bind: "127.0.0.2",
      logLevel: "trace",
      join: ["j1"],
      retryJoin: ["rj1"],
      encrypt: "k",
      networkInterface: "eth9",
      stateDir: "/s",
      allocDir: "/a",
    });
    expect(config.server.bootstrap_expect).toBe(3);
    expect([config.region, config.datacenter, config.name, config.bind_addr, config.log_level]).toEqual([
      "r1",
      "d1",
      "n1",
      "127.0.0.2",
      "TRACE",
    ]);
    expect(config.server.server_join.start_join).toEqual(["j1"]);
    expect(config.server.server_join.retry_join).toEqual(["rj1"]);
    expect(config.server.encrypt).toBe("k");
    expect(config.client.network_interface).toBe("eth9");
    expect(agentDirs(config).clientState).toBe("/s");
    expect(agentDirs(config).clientAlloc).toBe("/a");
  });
});

describe("agent config errors", () => {
  it("names the file and the key of a value of the wrong type", async () => {
    const a = await file("a.hcl", `server {\n  bootstrap_expect = "three"\n}\n`);
    const e = await loadError(loadAgentConfig({ config: [a] }));
    expect(e.message).toBe(
      `Error loading configuration from ${a}: server.bootstrap_expect: expected a number`,
    );
  });

  it("names an unknown key", async () => {
    const a = await file("a.json", JSON.stringify({ client: { enabeld: true } }));
    const e = await loadError(loadAgentConfig({ config: [a] }));
    expect(e.message).toBe(
      `Error loading configuration from ${a}: client.enabeld: unknown configuration key`,
    );
  });

  it("names a bad duration", async () => {
    const a = await file("a.hcl", `server {\n  heartbeat_grace = "ten seconds"\n}\n`);
    const e = await loadError(loadAgentConfig({ config: [a] }));
    expect(e.message).toContain("server.heartbeat_grace: expected a duration string");
  });

  it("reports HCL syntax errors with the line", async () => {
    const a = await file("a.hcl", `server {\n  enabled =\n}\n`);
    const e = await loadError(loadAgentConfig({ config: [a] }));
    expect(e.message).toMatch(new RegExp(`^Error loading configuration from ${a}: line 2, column \\d+: `));
  });

  it("reports a missing path", async () => {
    const missing = join(dir, "nope.hcl");
    const e = await loadError(loadAgentConfig({ config: [missing], dev: true }));
    expect(e.message).toContain(`Error loading configuration from ${missing}: `);
  });

  it("refuses an agent that is neither server nor client", async () => {
    const e = await loadError(loadAgentConfig({ dataDir: "/d" }));
    expect(e.message).toBe("Must specify either server, client or dev mode for the agent.");
  });

  it("requires data_dir outside dev mode, and an absolute one", async () => {
    expect((await loadError(loadAgentConfig({ server: true }))).message).toBe(
      'Must specify "data_dir" config option or "data-dir" CLI flag',
    );
    expect((await loadError(loadAgentConfig({ client: true }))).message).toBe(
      "Must specify the state, alloc dir, and plugin dir if data-dir is omitted.",
    );
    expect((await loadError(loadAgentConfig({ server: true, dataDir: "rel/dir" }))).message).toBe(
      "data_dir must be given as an absolute path: found rel/dir",
    );
  });

  it("refuses an unknown log level and a non-number -bootstrap-expect", async () => {
    expect((await loadError(loadAgentConfig({ dev: true, logLevel: "LOUD" }))).message).toBe(
      "Invalid log level: LOUD. Valid log levels are: [TRACE DEBUG INFO WARN ERROR]",
    );
    expect((await loadError(loadAgentConfig({ dev: true, bootstrapExpect: "x" }))).message).toBe(
      'invalid value "x" for flag -bootstrap-expect: parse error',
    );
    expect(
      (await loadError(loadAgentConfig({ client: true, dataDir: "/d", bootstrapExpect: "3" }))).message,
    ).toBe("Bootstrap requires server mode to be enabled");
  });
});
