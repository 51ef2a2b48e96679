import { z } from "zod";
import { dict, int, list, num, str } from "./schema-helpers.js";

export const NodeScoreMetaSchema = z
  .object({
    NodeID: str(),
    Scores: dict(z.number()),
    NormScore: num(0),
  })
  .loose();
export type NodeScoreMeta = z.output<typeof NodeScoreMetaSchema>;

/**
 * Why a placement went where it did, or why it failed: Nomad's AllocMetric. `nomad job run`
 * and `nomad eval status` print these counters to explain a blocked placement.
 */
export const AllocMetricSchema = z
  .object({
    NodesEvaluated: int(0),
    NodesFiltered: int(0),
    NodesInPool: int(0),
    NodePool: str(),
    NodesAvailable: dict(z.number().int()),
    ClassFiltered: dict(z.number().int()),
    ConstraintFiltered: dict(z.number().int()),
    NodesExhausted: int(0),
    ClassExhausted: dict(z.number().int()),
    DimensionExhausted: dict(z.number().int()),
    QuotaExhausted: list(z.string()),
    ResourcesExhausted: dict(z.unknown()),
    /** Deprecated in Nomad (kept null); ScoreMetaData carries the top scores. */
    Scores: dict(z.number()),
    ScoreMetaData: list(NodeScoreMetaSchema),
    AllocationTime: int(0),
    CoalescedFailures: int(0),
  })
  .loose();
export type AllocMetric = z.output<typeof AllocMetricSchema>;

export function emptyAllocMetric(): AllocMetric {
  return {
    NodesEvaluated: 0,
    NodesFiltered: 0,
    NodesInPool: 0,
    NodePool: "",
    NodesAvailable: {},
    ClassFiltered: {},
    ConstraintFiltered: {},
    NodesExhausted: 0,
    ClassExhausted: {},
    DimensionExhausted: {},
    QuotaExhausted: [],
    ResourcesExhausted: {},
    Scores: {},
    ScoreMetaData: [],
    AllocationTime: 0,
    CoalescedFailures: 0,
  };
}
