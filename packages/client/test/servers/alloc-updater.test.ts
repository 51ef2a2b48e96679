import { describe, expect, it } from "vitest";
import { RpcError, type Rpc } from "@nomad/rpc";
import type { AllocClientUpdate, AllocUpdateRequest } from "@nomad/structs";
import { silentLogger } from "../../src/logger.js";
import { systemClock } from "../../src/node/clock.js";
import { AllocUpdater } from "../../src/servers/alloc-updater.js";

const update = (id: string, desc: string): AllocClientUpdate => ({
  ID: id,
  ClientStatus: "running",
  ClientDescription: desc,
  TaskStates: {},
  ModifyTime: 0,
});

function recordingRpc(failFirst: number) {
  const sent: AllocUpdateRequest[] = [];
  let fail = failFirst;
  const rpc: Rpc = {
    async call<T>(_method: string, args: unknown): Promise<T> {
      if (fail-- > 0) throw new RpcError("NO_LEADER", "No cluster leader");
      sent.push(args as AllocUpdateRequest);
      return { Index: 1 } as T;
    },
  };
  return { rpc, sent };
}

function updater(rpc: Rpc): AllocUpdater {
  return new AllocUpdater({
    rpc,
    secretID: "s",
    region: "global",
    intervalMs: 10_000,
    clock: systemClock,
    logger: silentLogger,
  });
}

describe("AllocUpdater", () => {
  it("sends the latest report of each allocation in one call", async () => {
    const { rpc, sent } = recordingRpc(0);
    const u = updater(rpc);
    u.push(update("a", "1"));
    u.push(update("b", "1"));
    u.push(update("a", "2"));
    await u.flush();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.SecretID).toBe("s");
    expect(sent[0]!.Alloc.map((x) => [x.ID, x.ClientDescription])).toEqual([
      ["a", "2"],
      ["b", "1"],
    ]);
    await u.flush(); // nothing pending: no call
    expect(sent).toHaveLength(1);
  });

  it("keeps a failed batch for the next send, unless a newer report replaced it", async () => {
    const { rpc, sent } = recordingRpc(1);
    const u = updater(rpc);
    u.push(update("a", "old"));
    u.push(update("b", "old"));
    await u.flush();
    expect(u.failures).toBe(1);
    expect(u.pendingCount()).toBe(2);
    u.push(update("a", "new"));
    await u.flush();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.Alloc.map((x) => [x.ID, x.ClientDescription]).sort()).toEqual([
      ["a", "new"],
      ["b", "old"],
    ]);
  });

  it("ticks on its interval", async () => {
    const { rpc, sent } = recordingRpc(0);
    const u = new AllocUpdater({
      rpc,
      secretID: "s",
      region: "global",
      intervalMs: 30,
      clock: systemClock,
      logger: silentLogger,
    });
    u.start();
    u.push(update("a", "1"));
    const deadline = Date.now() + 15_000;
    while (sent.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    await u.stop();
    expect(sent).toHaveLength(1);
  });
});
