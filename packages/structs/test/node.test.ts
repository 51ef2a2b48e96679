import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { StructsValidationError } from "@nomad/structs";
import { computeNodeClass, nodeAcceptsPlacements, parseNode, parsePortSpec } from "@nomad/structs";

const nodeJson = (): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL("./fixtures/node.json", import.meta.url), "utf8")) as Record<
    string,
    unknown
  >;

describe("Node", () => {
  it("reads a GET /v1/node/:id response: resources, reserved resources, drivers, status", () => {
    const node = parseNode(nodeJson());
    expect(node.NodeResources.Cpu).toMatchObject({
      CpuShares: 8000,
      TotalCpuCores: 4,
      ReservableCpuCores: [0, 1, 2, 3],
    });
    expect(node.NodeResources.Memory.MemoryMB).toBe(15990);
    expect(node.ReservedResources.Cpu).toEqual({ CpuShares: 500, ReservedCpuCores: [] });
    expect(node.ReservedResources.Networks.ReservedHostPorts).toBe("22,8000-8002");
    expect(node.Drivers["exec"]).toMatchObject({ Detected: true, Healthy: false });
    expect(node.Status).toBe("ready");
    expect(node.SchedulingEligibility).toBe("eligible");
    expect(node.DrainStrategy).toBeNull();
    expect(nodeAcceptsPlacements(node)).toBe(true);
    expect(node["Events"]).toHaveLength(1);
  });

  it("a missing dynamic port range falls back to 20000-32000", () => {
    const input = nodeJson();
    (input["NodeResources"] as Record<string, unknown>)["MinDynamicPort"] = 0;
    delete (input["NodeResources"] as Record<string, unknown>)["MaxDynamicPort"];
    const node = parseNode(input);
    expect([node.NodeResources.MinDynamicPort, node.NodeResources.MaxDynamicPort]).toEqual([20000, 32000]);
  });

  it("draining, ineligible and down nodes take no placements", () => {
    const drain = parseNode({ ...nodeJson(), DrainStrategy: { DrainSpec: { Deadline: 3600e9 } } });
    expect(drain.DrainStrategy?.DrainSpec.Deadline).toBe(3600e9);
    expect(nodeAcceptsPlacements(drain)).toBe(false);
    expect(nodeAcceptsPlacements(parseNode({ ...nodeJson(), SchedulingEligibility: "ineligible" }))).toBe(
      false,
    );
    expect(nodeAcceptsPlacements(parseNode({ ...nodeJson(), Status: "down" }))).toBe(false);
  });

  it("an unknown status is an error naming Status", () => {
    try {
      parseNode({ ...nodeJson(), Status: "sleepy" });
      expect.unreachable();
    } catch (e) {
      expect((e as StructsValidationError).issues[0]?.path).toBe("Status");
    }
  });

  it("computed class ignores unique.* attributes and changes with any other attribute", () => {
    const a = parseNode(nodeJson());
    const bJson = nodeJson();
    (bJson["Attributes"] as Record<string, string>)["unique.hostname"] = "worker-2";
    const b = parseNode({ ...bJson, ID: "other" });
    const cJson = nodeJson();
    (cJson["Attributes"] as Record<string, string>)["os.version"] = "22.04";
    const c = parseNode(cJson);
    expect(computeNodeClass(a)).toMatch(/^v1:\d+$/);
    expect(computeNodeClass(b)).toBe(computeNodeClass(a));
    expect(computeNodeClass(c)).not.toBe(computeNodeClass(a));
  });

  it("port specs expand ranges and reject garbage", () => {
    expect(parsePortSpec("22, 8000-8002")).toEqual([22, 8000, 8001, 8002]);
    expect(parsePortSpec("")).toEqual([]);
    expect(() => parsePortSpec("80-70")).toThrow(/invalid port range/);
    expect(() => parsePortSpec("http")).toThrow(/invalid port spec/);
  });
});
