// The GC inside NomadClient, with the real AllocRunner and mock_driver against the fake
// server: a new allocation over gc_max_allocs makes room by collecting a finished one, and
// an allocation the client collected is never started again by a later answer from the
// servers, even one that (stale) still says it should run.
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { NomadClient } from "../../src/client.js";
import { makeAlloc } from "../allocrunner/fixtures.js";
import { FakeServer, waitFor } from "../client/fakes.js";
import { allocID } from "./harness.js";

let dataDir: string;
let server: FakeServer;
const clients: NomadClient[] = [];

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "nomad-client-gc-wiring-"));
  server = new FakeServer();
});
afterEach(async () => {
  // Not -dev: shutdown leaves tasks running, so destroy what is left first.
  for (const c of clients.splice(0)) await c.shutdown();
  await rm(dataDir, { recursive: true, force: true });
});

function place(client: NomadClient, id: string, kind: "finishes" | "runs"): void {
  const a = makeAlloc({
    id,
    jobType: kind === "finishes" ? "batch" : "service",
    restart: { Attempts: 0, DelayMs: 0, Mode: "fail" },
    tasks: [{ name: "web", driver: "mock_driver", config: kind === "finishes" ? { run_for: "1ms" } : {} }],
  });
  server.place(client.nodeID, id, { Job: a.Job, AllocatedResources: a.AllocatedResources, Name: a.Name });
}

it("a new allocation over gc_max_allocs collects a finished one first; the servers' later answers never start it again", async () => {
  const client = await NomadClient.start(
    {
      dataDir,
      nodeName: "gc",
      mockDriverEnabled: true,
      rawExecEnabled: false,
      execEnabled: false,
      initialHeartbeatStaggerMs: 0,
      registerRetryMs: 100,
      allocSyncIntervalMs: 50,
      gc: { maxAllocs: 1, parallelDestroys: 1, intervalMs: 3_600_000 },
    },
    { rpc: server.rpc(), diskUsage: async () => ({ diskUsedPercent: 1, inodesUsedPercent: 1 }) },
  );
  clients.push(client);
  const allocDir = join(dataDir, "alloc");
  const [done, web, late] = [allocID(0xd0), allocID(0xe0), allocID(0xf0)];

  place(client, done, "finishes");
  await waitFor(() => server.allocs.get(done)?.ClientStatus === "complete", "batch alloc reported complete");
  expect(existsSync(join(allocDir, done))).toBe(true);

  // One kept + one arriving > gc_max_allocs 1: the finished one goes before the new one starts.
  place(client, web, "runs");
  await waitFor(() => server.allocs.get(web)?.ClientStatus === "running", "service alloc running");
  expect(client.hasAlloc(done)).toBe(false);
  expect(existsSync(join(allocDir, done))).toBe(false);
  expect(client.numAllocations()).toBe(1);
  expect(server.allocs.has(done)).toBe(true); // the servers have not GC'd it

  // A lagging server's copy still says run/pending and its index moves: the client must
  // not pull it back to life.
  const stale = server.allocs.get(done)!;
  server.place(client.nodeID, done, { Job: stale.Job, AllocatedResources: stale.AllocatedResources });
  expect(server.allocs.get(done)?.ClientStatus).toBe("pending");
  place(client, late, "runs"); // applied after the stale copy: it shows the answer was handled
  await waitFor(() => server.allocs.get(late)?.ClientStatus === "running", "late alloc running");
  expect(client.hasAlloc(done)).toBe(false);
  expect(existsSync(join(allocDir, done))).toBe(false);
  expect(client.hasAlloc(web)).toBe(true);

  // Nothing of it is kept on disk either: a restart would not restore it.
  // (The client holds the state dir's lock: read the documented layout directly.)
  const kept = (id: string): boolean => existsSync(join(dataDir, "client", "allocs", id, "alloc.rec"));
  expect([done, web, late].map(kept)).toEqual([false, true, true]);

  // Stop the service tasks so nothing outlives the test.
  server.stop(web);
  server.stop(late);
  await waitFor(
    () =>
      server.allocs.get(web)?.ClientStatus === "complete" &&
      server.allocs.get(late)?.ClientStatus === "complete",
    "service allocs stopped",
  );
});
