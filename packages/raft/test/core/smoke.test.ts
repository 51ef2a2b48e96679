import { describe, expect, it } from "vitest";
import { Network } from "./helpers/network.js";

describe("core smoke", () => {
  it("a bootstrapped 3-node cluster elects a leader and replicates", () => {
    const net = Network.bootstrapped(["a", "b", "c"]);
    const leader = net.elect();
    net.propose("x");
    net.propose("y");
    net.tick(3);
    for (const n of net.nodes.values()) expect(n.applied).toEqual(["x", "y"]);
    expect(leader.core.status().commitIndex).toBe(4);
  });
});
