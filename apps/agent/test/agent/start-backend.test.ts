import { LocalRpc, type Rpc } from "@nomad/rpc";
import { describe, expect, it } from "vitest";
import { agentAddresses } from "../../src/agent/addresses.js";
import { resolveConfig } from "../../src/agent/config/index.js";
import { silentLogger } from "../../src/agent/logger.js";
import {
  startBackend,
  toClientConfig,
  toServerConfig,
  type BackendFactories,
} from "../../src/agent/start-backend.js";
import { FakeClient, FakeServer } from "../http/fake-backend.js";

const devConfig = () =>
  resolveConfig(
    [
      {
        bind_addr: "127.0.0.1",
        server: { enabled: true, bootstrap_expect: 1 },
        client: { enabled: true, options: { "driver.raw_exec.enable": "1" } },
      },
    ],
    {
      hostname: () => "h1",
    },
  );

describe("startBackend", () => {
  it("dev: starts the server, then the client over the server's in-process rpc", async () => {
    const order: string[] = [];
    const server = new FakeServer(new LocalRpc(async () => "ok"));
    let clientRpc: Rpc | undefined;
    const factories: Partial<BackendFactories> = {
      startServer: async (cfg) => {
        order.push(`server ${cfg.name} dev=${String(cfg.devMode)}`);
        return server;
      },
      startClient: async (cfg, deps) => {
        order.push(`client ${cfg.nodeName} raw_exec=${String(cfg.rawExecEnabled)}`);
        clientRpc = deps.rpc;
        return new FakeClient();
      },
    };
    const backend = await startBackend(devConfig(), silentLogger, {
      dev: true,
      httpAdvertise: "127.0.0.1:5000",
      factories,
    });
    expect(order).toEqual(["server h1 dev=true", "client h1 raw_exec=true"]);
    expect(clientRpc).toBe(server.rpc);
    expect(backend.rpc).toBe(server.rpc);
    expect(backend.server).toBe(server);
    expect(backend.client).toBeDefined();
  });

  it("client-only: the client and the HTTP API use a ServerRpc over client.servers", async () => {
    const config = resolveConfig([
      { data_dir: "/d", client: { enabled: true, servers: ["10.0.0.1", "10.0.0.2:4747"] } },
    ]);
    const made: string[][] = [];
    const remote = new LocalRpc(async () => "remote");
    const backend = await startBackend(config, silentLogger, {
      dev: false,
      factories: {
        serverRpc: (servers) => {
          made.push(servers);
          return remote;
        },
        startClient: async () => new FakeClient(),
        startServer: () => Promise.reject(new Error("no server expected")),
      },
    });
    expect(made).toEqual([["10.0.0.1:4647", "10.0.0.2:4747"]]);
    expect(backend.rpc).toBe(remote);
    expect(backend.server).toBeUndefined();
  });

  it("a client that fails to start stops the server it started", async () => {
    const server = new FakeServer(new LocalRpc(async () => "ok"));
    await expect(
      startBackend(devConfig(), silentLogger, {
        dev: true,
        factories: {
          startServer: async () => server,
          startClient: () => Promise.reject(new Error("fingerprint failed")),
        },
      }),
    ).rejects.toThrow("fingerprint failed");
    expect(server.stopped).toBe(true);
  });
});

describe("config mapping", () => {
  it("toServerConfig carries addresses, ports, durations in ms and join lists", () => {
    const config = resolveConfig([
      {
        data_dir: "/var/nomad",
        bind_addr: "10.1.2.3",
        ports: { rpc: 5647, serf: 5648 },
        server: {
          enabled: true,
          bootstrap_expect: 3,
          heartbeat_grace: "30s",
          num_schedulers: 2,
          server_join: { retry_join: ["10.1.2.4"] },
        },
      },
    ]);
    const s = toServerConfig(config, false);
    expect(s).toMatchObject({
      dataDir: "/var/nomad",
      bindAddr: "10.1.2.3",
      advertiseAddr: "10.1.2.3",
      rpcPort: 5647,
      serfPort: 5648,
      bootstrapExpect: 3,
      heartbeatGraceMs: 30_000,
      nodeGcThresholdMs: 24 * 3600_000,
      numSchedulers: 2,
      retryJoin: ["10.1.2.4"],
      devMode: false,
    });
  });

  it("toClientConfig derives state and alloc dirs from data_dir", () => {
    const config = resolveConfig(
      [{ data_dir: "/var/nomad", client: { enabled: true, meta: { rack: "r1" }, node_class: "big" } }],
      {
        hostname: () => "h2",
      },
    );
    const c = toClientConfig(config, false, "10.0.0.5:4646");
    expect(c).toMatchObject({
      dataDir: "/var/nomad",
      stateDir: "/var/nomad/client",
      allocDir: "/var/nomad/alloc",
      nodeName: "h2",
      nodeClass: "big",
      meta: { rack: "r1" },
      rawExecEnabled: false,
      httpAdvertise: "10.0.0.5:4646",
      maxKillTimeoutMs: 30_000,
    });
  });

  it("advertise addresses: explicit, bind address, or a private IP when bound to 0.0.0.0", () => {
    const a = agentAddresses(
      resolveConfig([
        { advertise: { http: "1.2.3.4", rpc: "1.2.3.4:9000" }, addresses: { http: "127.0.0.1 10.0.0.1" } },
      ]),
      () => "10.9.9.9",
    );
    expect(a.httpBind).toEqual(["127.0.0.1", "10.0.0.1"]);
    expect(a.httpAdvertise).toBe("1.2.3.4:4646");
    expect(a.rpcAdvertise).toBe("1.2.3.4:9000");
    expect(a.serfAdvertise).toBe("10.9.9.9:4648");
  });
});
