import { describe, expect, it } from "vitest";
import { clientGcReason, decideClientGc, decideClientGcAll, parseClientGcConfig } from "../src/index.js";

const config = parseClientGcConfig();
const terminal = [
  { allocID: "new", terminalAtUnixNs: 300, diskPercent: 5 },
  { allocID: "old", terminalAtUnixNs: 100, diskPercent: 5 },
  { allocID: "mid", terminalAtUnixNs: 200, diskPercent: 5 },
];

describe("client alloc dir GC", () => {
  it("does nothing under every threshold", () => {
    expect(
      decideClientGc({ config, diskUsedPercent: 80, inodesUsedPercent: 70, liveAllocs: 50, terminal }),
    ).toEqual({
      destroy: [],
      stillOver: null,
    });
  });

  it("over gc_disk_usage_threshold (80%): destroys oldest terminal first until under", () => {
    const d = decideClientGc({ config, diskUsedPercent: 88, inodesUsedPercent: 10, liveAllocs: 3, terminal });
    expect(d.destroy.map((x) => x.allocID)).toEqual(["old", "mid"]);
    expect(d.destroy[0]?.reason).toBe("disk usage of 88 is over gc threshold of 80");
    expect(d.stillOver).toBeNull();
  });

  it("over gc_inode_usage_threshold (70%)", () => {
    const t = terminal.map((a) => ({ ...a, inodePercent: 3 }));
    const d = decideClientGc({
      config,
      diskUsedPercent: 10,
      inodesUsedPercent: 72,
      liveAllocs: 3,
      terminal: t,
    });
    expect(d.destroy.map((x) => x.allocID)).toEqual(["old"]);
    expect(d.destroy[0]?.reason).toBe("inode usage of 72 is over gc threshold of 70");
  });

  it("over gc_max_allocs (50): destroys just enough", () => {
    const d = decideClientGc({ config, diskUsedPercent: 0, inodesUsedPercent: 0, liveAllocs: 52, terminal });
    expect(d.destroy.map((x) => x.allocID)).toEqual(["old", "mid"]);
    expect(d.destroy[1]?.reason).toBe("number of allocations (51) is over the limit (50)");
  });

  it("reports the pressure it cannot relieve once nothing terminal is left", () => {
    const d = decideClientGc({ config, diskUsedPercent: 99, inodesUsedPercent: 0, liveAllocs: 3, terminal });
    expect(d.destroy).toHaveLength(3);
    expect(d.stillOver).toBe("disk usage of 84 is over gc threshold of 80");
  });

  it("without size estimates, disk pressure takes every terminal allocation", () => {
    const t = terminal.map(({ allocID, terminalAtUnixNs }) => ({ allocID, terminalAtUnixNs }));
    const d = decideClientGc({
      config,
      diskUsedPercent: 81,
      inodesUsedPercent: 0,
      liveAllocs: 3,
      terminal: t,
    });
    expect(d.destroy.map((x) => x.allocID)).toEqual(["old", "mid", "new"]);
  });

  it("checks disk before inodes before the allocation count (Nomad's order)", () => {
    expect(clientGcReason(config, 81, 71, 51)).toMatch(/^disk/);
    expect(clientGcReason(config, 80, 71, 51)).toMatch(/^inode/);
    expect(clientGcReason(config, 80, 70, 51)).toMatch(/^number/);
  });

  it("forced client GC takes every terminal allocation, oldest first", () => {
    expect(decideClientGcAll(terminal).map((x) => x.allocID)).toEqual(["old", "mid", "new"]);
  });
});
