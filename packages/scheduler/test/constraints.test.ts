import { describe, expect, it } from "vitest";
import { checkConstraint, checkOperand, resolveTarget, versionMatches } from "@nomad/scheduler";
import { mockNode } from "@nomad/scheduler/testing";
import { rfc3339ToNs } from "../src/core/reschedule.js";

const node = mockNode({
  id: "n-1",
  datacenter: "dc7",
  nodeClass: "gpu",
  attributes: {
    "cpu.numcores": "16",
    "os.version": "24.04",
    "driver.docker.version": "27.1.1-beta.2",
    "nomad.version": "1.11.3",
    tags: "a,b,c",
  },
  meta: { rack: "r9", "unique.serial": "XYZ" },
});
const c = (LTarget: string, Operand: string, RTarget = ""): boolean =>
  checkConstraint({ LTarget, Operand, RTarget }, node);

describe("target interpolation", () => {
  it("resolves ${attr.*}, ${meta.*} and every ${node.*} field", () => {
    expect(resolveTarget("${attr.cpu.numcores}", node)).toEqual({ found: true, value: "16" });
    expect(resolveTarget("${meta.rack}", node)).toEqual({ found: true, value: "r9" });
    expect(resolveTarget("${node.unique.id}", node).value).toBe("n-1");
    expect(resolveTarget("${node.unique.name}", node).value).toBe("n-1");
    expect(resolveTarget("${node.datacenter}", node).value).toBe("dc7");
    expect(resolveTarget("${node.class}", node).value).toBe("gpu");
    expect(resolveTarget("${node.pool}", node).value).toBe("default");
    expect(resolveTarget("${attr.nope}", node).found).toBe(false);
    expect(resolveTarget("literal", node)).toEqual({ found: true, value: "literal" });
  });
});

describe("constraint operands", () => {
  it("= == is compare equal strings; a missing attribute never equals", () => {
    expect(c("${node.datacenter}", "=", "dc7")).toBe(true);
    expect(c("${node.datacenter}", "==", "dc7")).toBe(true);
    expect(c("${node.datacenter}", "is", "dc1")).toBe(false);
    expect(c("${attr.missing}", "=", "")).toBe(false);
  });

  it("!= and not hold when values differ or one side is missing", () => {
    expect(c("${node.class}", "!=", "cpu")).toBe(true);
    expect(c("${node.class}", "not", "gpu")).toBe(false);
    expect(c("${attr.missing}", "!=", "x")).toBe(true);
  });

  it("< <= > >= compare numerically when both sides are numbers, else lexically", () => {
    expect(c("${attr.cpu.numcores}", ">", "8")).toBe(true); // 16 > 8 numerically (lexically "16" < "8")
    expect(c("${attr.cpu.numcores}", ">=", "16")).toBe(true);
    expect(c("${attr.cpu.numcores}", "<", "16")).toBe(false);
    expect(c("${attr.cpu.numcores}", "<=", "16")).toBe(true);
    expect(c("${meta.rack}", "<", "r10")).toBe(false); // lexical: "r9" > "r10"
    expect(c("${attr.missing}", ">", "1")).toBe(false);
  });

  it("regexp matches the pattern anywhere unless anchored", () => {
    expect(c("${attr.os.version}", "regexp", "^24\\.")).toBe(true);
    expect(c("${attr.os.version}", "regexp", "^22")).toBe(false);
    expect(c("${attr.os.version}", "regexp", "([")).toBe(false); // invalid pattern never matches
  });

  it("version accepts go-version style ranges and the pessimistic operator", () => {
    expect(c("${attr.nomad.version}", "version", ">= 1.10, < 2.0")).toBe(true);
    expect(c("${attr.nomad.version}", "version", "~> 1.11")).toBe(true);
    expect(c("${attr.nomad.version}", "version", "~> 1.10.0")).toBe(false);
    expect(versionMatches("1.2", ">= 1.2.0", false)).toBe(true);
    expect(versionMatches("1.3.0-beta1", "< 1.3.0", false)).toBe(true);
  });

  it("semver requires strict MAJOR.MINOR.PATCH versions and orders pre-releases", () => {
    // 27.1.1-beta.2 sorts before the 27.1.1 release
    expect(c("${attr.driver.docker.version}", "semver", ">= 27.0.0, < 27.1.1")).toBe(true);
    expect(c("${attr.driver.docker.version}", "semver", ">= 27.1.1")).toBe(false);
    expect(c("${attr.driver.docker.version}", "semver", ">= 27.1.1-beta.1")).toBe(true);
    expect(versionMatches("1.2", ">= 1.0.0", true)).toBe(false);
  });

  it("set_contains / set_contains_all need every item, set_contains_any one of them", () => {
    expect(c("${attr.tags}", "set_contains", "a,c")).toBe(true);
    expect(c("${attr.tags}", "set_contains_all", "a,d")).toBe(false);
    expect(c("${attr.tags}", "set_contains_any", "x,b")).toBe(true);
    expect(c("${attr.tags}", "set_contains_any", "x,y")).toBe(false);
  });

  it("is_set and is_not_set test presence only", () => {
    expect(c("${meta.rack}", "is_set")).toBe(true);
    expect(c("${meta.nope}", "is_set")).toBe(false);
    expect(c("${meta.nope}", "is_not_set")).toBe(true);
  });

  it("distinct_* pass the static check (they are decided at placement) and unknown operands fail", () => {
    expect(checkOperand("distinct_hosts", { found: false, value: "" }, { found: false, value: "" })).toBe(
      true,
    );
    expect(checkOperand("distinct_property", { found: true, value: "x" }, { found: true, value: "1" })).toBe(
      true,
    );
    expect(checkOperand("~=", { found: true, value: "x" }, { found: true, value: "x" })).toBe(false);
  });
});

describe("RFC 3339 without Date", () => {
  it("agrees with Date.parse, with fractions and offsets", () => {
    for (const t of [
      "2026-11-24T20:01:00Z",
      "1999-02-28T23:59:59.25Z",
      "2026-03-01T01:00:00+02:00",
      "2000-02-29T12:00:00-05:30",
    ]) {
      expect(rfc3339ToNs(t)).toBe(Date.parse(t) * 1e6);
    }
    expect(rfc3339ToNs("yesterday")).toBeNull();
  });
});
