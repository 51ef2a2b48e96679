import { describe, expect, it } from "vitest";
import {
  GcConfigError,
  MAX_UUIDS_PER_WRITE_REQUEST,
  parseClientGcConfig,
  parseServerGcConfig,
} from "../src/index.js";

const H = 3600e9;
const M = 60e9;

describe("server GC config", () => {
  it("has Nomad's defaults", () => {
    const c = parseServerGcConfig();
    expect(c.node_gc_threshold).toBe(24 * H);
    expect(c.job_gc_threshold).toBe(4 * H);
    expect(c.job_gc_interval).toBe(5 * M);
    expect(c.eval_gc_threshold).toBe(1 * H);
    expect(c.batch_eval_gc_threshold).toBe(24 * H);
    expect(c.deployment_gc_threshold).toBe(1 * H);
    expect(c.eval_gc_interval).toBe(5 * M);
    expect(c.node_gc_interval).toBe(5 * M);
    expect(c.deployment_gc_interval).toBe(5 * M);
    expect(c.max_ids_per_batch).toBe(MAX_UUIDS_PER_WRITE_REQUEST);
    expect(c.max_jobs_per_batch).toBe(2048);
  });

  it("accepts Nomad's duration strings and integer nanoseconds", () => {
    const c = parseServerGcConfig({ node_gc_threshold: "1h30m", job_gc_threshold: 60e9 });
    expect(c.node_gc_threshold).toBe(90 * M);
    expect(c.job_gc_threshold).toBe(M);
  });

  it("names the bad key", () => {
    expect(() => parseServerGcConfig({ eval_gc_threshold: "soon" })).toThrow(/eval_gc_threshold/);
    expect(() => parseServerGcConfig({ eval_gc_threshold: "soon" })).toThrow(GcConfigError);
  });

  it("rejects unknown keys (a typo must not silently keep a default)", () => {
    expect(() => parseServerGcConfig({ node_gc_treshold: "1h" })).toThrow(GcConfigError);
  });

  it("rejects negative durations", () => {
    expect(() => parseServerGcConfig({ node_gc_threshold: -5 })).toThrow(/node_gc_threshold/);
  });
});

describe("client GC config", () => {
  it("has Nomad's defaults", () => {
    expect(parseClientGcConfig()).toEqual({
      gc_interval: M,
      gc_disk_usage_threshold: 80,
      gc_inode_usage_threshold: 70,
      gc_max_allocs: 50,
      gc_parallel_destroys: 2,
    });
  });

  it("accepts the -dev profile values", () => {
    const c = parseClientGcConfig({
      gc_interval: "10m",
      gc_disk_usage_threshold: 99,
      gc_inode_usage_threshold: 99,
    });
    expect(c.gc_interval).toBe(10 * M);
    expect(c.gc_disk_usage_threshold).toBe(99);
  });

  it("rejects a percentage over 100", () => {
    expect(() => parseClientGcConfig({ gc_disk_usage_threshold: 120 })).toThrow(/gc_disk_usage_threshold/);
  });
});
