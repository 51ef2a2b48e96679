// Spec tests for log compaction and InstallSnapshot (section 7), chunked with flow control.
import { describe, expect, it } from "vitest";
import type { InstallSnapshotRequest } from "../../src/core/messages.js";
import type { SnapshotMeta } from "../../src/core/types.js";
import { Network } from "./helpers/network.js";
import { cmd, drain, logWithTerms, makeCore, ofType, outbox, voters } from "./helpers/single.js";

const abc = ["a", "b", "c"];

function chunk(
  fields: Partial<InstallSnapshotRequest> & { offset: number; data: Uint8Array },
): InstallSnapshotRequest {
  const meta: SnapshotMeta = { index: 10, term: 2, configuration: voters(...abc), configurationIndex: 1 };
  return {
    type: "installSnapshot",
    from: "a",
    to: "b",
    term: 2,
    meta,
    done: false,
    totalBytes: 6,
    ...fields,
  };
}

describe("log compaction (7)", () => {
  it("compact drops in-memory entries before meta.index - trailingLogs, never beyond what is applied (7)", () => {
    const net = Network.bootstrapped(["solo"]);
    const n = net.elect();
    for (let i = 0; i < 20; i++) net.propose(`x${i}`);
    const meta = n.takeSnapshot(5)!;
    expect(meta.index).toBe(22);
    const st = n.core.status();
    expect(st.snapshotIndex).toBe(22);
    // Entries from 17 on are kept; the leader can still send 17.. to a slow follower without a snapshot.
    expect(st.lastLogIndex).toBe(22);
    const core = makeCore("a", {
      entries: logWithTerms(abc, [1, 1, 1, 1]),
      hardState: { term: 1, vote: "" },
    });
    core.compact({ index: 4, term: 1, configuration: voters(...abc), configurationIndex: 1 }, 0);
    // Nothing was applied yet, so nothing may be dropped: entries 1..4 are still served.
    expect(core.status()).toMatchObject({ snapshotIndex: 4, lastLogIndex: 4 });
  });

  it("a follower that needs compacted entries gets the snapshot in chunks, one per acknowledgement (7)", () => {
    const net = Network.bootstrapped(abc, { snapshotChunkBytes: 16 });
    const leader = net.elect();
    const lagging = abc.find((x) => x !== leader.id)!;
    net.crash(lagging);
    for (let i = 0; i < 30; i++) net.propose(`v${i}`);
    leader.takeSnapshot(2);
    net.delivered = [];
    net.restart(lagging);
    net.tick(3);
    const chunks = net.delivered.filter((m): m is InstallSnapshotRequest => m.type === "installSnapshot");
    expect(chunks.length).toBeGreaterThan(3);
    // Flow control: each chunk after the first is sent only after the previous one was acknowledged.
    let acked = 0;
    for (const m of net.delivered) {
      if (m.type === "installSnapshot") {
        expect(m.offset).toBe(acked);
      }
      if (m.type === "installSnapshotResponse") acked = m.nextOffset;
    }
    expect(net.node(lagging).applied).toEqual(leader.applied);
    expect(net.node(lagging).core.status().snapshotIndex).toBe(leader.core.status().snapshotIndex);
    // And replication continues normally afterwards.
    net.propose("after");
    net.tick(2);
    expect(net.node(lagging).applied[net.node(lagging).applied.length - 1]).toBe("after");
  });

  it("a follower restarts a transfer from byte 0 after a gap (7)", () => {
    const core = makeCore("b", { entries: logWithTerms(abc, [1]), hardState: { term: 2, vote: "" } });
    core.step(chunk({ offset: 0, data: new Uint8Array([1, 2]) }));
    expect(ofType(outbox(core), "installSnapshotResponse")[0]).toMatchObject({
      success: true,
      nextOffset: 2,
    });
    core.step(chunk({ offset: 4, data: new Uint8Array([5, 6]), done: true }));
    expect(ofType(outbox(core), "installSnapshotResponse")[0]).toMatchObject({
      success: false,
      nextOffset: 0,
    });
    core.step(chunk({ offset: 2, data: new Uint8Array([3, 4]) })); // the old transfer is gone
    expect(ofType(outbox(core), "installSnapshotResponse")[0]).toMatchObject({ success: false });
  });

  it("a follower installs a complete snapshot: hands it to the driver and resets its log to it (7)", () => {
    const core = makeCore("b", { entries: logWithTerms(abc, [1, 1]), hardState: { term: 2, vote: "" } });
    core.step(chunk({ offset: 0, data: new Uint8Array([1, 2, 3]) }));
    core.step(chunk({ offset: 3, data: new Uint8Array([4, 5, 6]), done: true }));
    const rd = drain(core);
    expect(rd.snapshot?.meta.index).toBe(10);
    expect([...rd.snapshot!.data]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(core.status()).toMatchObject({
      snapshotIndex: 10,
      commitIndex: 10,
      lastLogIndex: 10,
      lastLogTerm: 2,
    });
    const responses = ofType([...rd.messages], "installSnapshotResponse");
    expect(responses[responses.length - 1]).toMatchObject({ success: true, done: true });
  });

  it("a duplicated chunk is acknowledged again without being buffered twice (7)", () => {
    const core = makeCore("b", { entries: logWithTerms(abc, [1]), hardState: { term: 2, vote: "" } });
    core.step(chunk({ offset: 0, data: new Uint8Array([1, 2, 3]) }));
    core.step(chunk({ offset: 0, data: new Uint8Array([1, 2, 3]) }));
    core.step(chunk({ offset: 3, data: new Uint8Array([4, 5, 6]), done: true }));
    const rd = drain(core);
    expect([...rd.snapshot!.data]).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("a follower keeps the entries that follow a snapshot it already agrees with (7)", () => {
    const entries = [...logWithTerms(abc, [1]), ...Array.from({ length: 11 }, (_, i) => cmd(i + 2, 2))];
    const core = makeCore("b", { entries, hardState: { term: 2, vote: "" } });
    core.step(chunk({ offset: 0, data: new Uint8Array([1, 2, 3, 4, 5, 6]), done: true }));
    expect(core.status()).toMatchObject({ snapshotIndex: 10, lastLogIndex: 12 });
  });

  it("a snapshot larger than maxSnapshotBytes is refused (bounded buffering)", () => {
    const core = makeCore("b", {
      overrides: { maxSnapshotBytes: 4 },
      entries: logWithTerms(abc, [1]),
      hardState: { term: 2, vote: "" },
    });
    core.step(chunk({ offset: 0, data: new Uint8Array([1, 2, 3]) }));
    expect(ofType(outbox(core), "installSnapshotResponse")[0]).toMatchObject({ success: false });
  });

  it("a node restarts from its snapshot plus the entries after it", () => {
    const net = Network.bootstrapped(abc);
    net.elect();
    for (let i = 0; i < 10; i++) net.propose(`r${i}`);
    for (const n of net.nodes.values()) n.takeSnapshot(0);
    for (let i = 10; i < 15; i++) net.propose(`r${i}`);
    for (const id of abc) net.crash(id);
    for (const id of abc) net.restart(id);
    const leader = net.elect();
    net.propose("post");
    net.tick(2);
    expect(leader.applied).toEqual([...Array.from({ length: 15 }, (_, i) => `r${i}`), "post"]);
    for (const n of net.nodes.values()) expect(n.applied).toEqual(leader.applied);
  });

  it("a lost chunk is resent at the next heartbeat", () => {
    const net = Network.bootstrapped(abc, { snapshotChunkBytes: 16 });
    const leader = net.elect();
    const lagging = abc.find((x) => x !== leader.id)!;
    net.crash(lagging);
    for (let i = 0; i < 20; i++) net.propose(`v${i}`);
    leader.takeSnapshot(0);
    let dropped = 0;
    net.filter = (m) => !(m.type === "installSnapshot" && m.offset === 32 && dropped++ === 0);
    net.restart(lagging);
    net.tick(10);
    expect(dropped).toBeGreaterThan(1);
    expect(net.node(lagging).applied).toEqual(leader.applied);
  });
});
