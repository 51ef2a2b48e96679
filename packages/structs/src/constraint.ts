import { z } from "zod";
import { DEFAULT_AFFINITY_WEIGHT, DEFAULT_SPREAD_WEIGHT } from "./defaults.js";
import { int, list, str } from "./schema-helpers.js";

/** Every operand Nomad accepts in a constraint (aliases included: `==`/`is` mean `=`, `not` means `!=`). */
export const CONSTRAINT_OPERANDS = [
  "=",
  "==",
  "is",
  "!=",
  "not",
  "<",
  "<=",
  ">",
  ">=",
  "regexp",
  "version",
  "semver",
  "set_contains",
  "set_contains_all",
  "set_contains_any",
  "is_set",
  "is_not_set",
  "distinct_hosts",
  "distinct_property",
] as const;
export type ConstraintOperand = (typeof CONSTRAINT_OPERANDS)[number];

/** Affinities take the same operands except the distinct_* ones, which only make sense as hard rules. */
export const AFFINITY_OPERANDS = CONSTRAINT_OPERANDS.filter(
  (o) => o !== "distinct_hosts" && o !== "distinct_property",
);

const operandsNeedingRTarget = new Set<string>(["<", "<=", ">", ">=", "regexp", "version", "semver"]);

export const ConstraintSchema = z
  .object({
    LTarget: str(),
    RTarget: str(),
    // Nomad's api defaults an empty operand to "=".
    Operand: z
      .string()
      .nullish()
      .transform((v) => (v === null || v === undefined || v === "" ? "=" : v)),
  })
  .superRefine((c, ctx) => {
    if (!(CONSTRAINT_OPERANDS as readonly string[]).includes(c.Operand)) {
      ctx.addIssue({ code: "custom", path: ["Operand"], message: `Unknown constraint type "${c.Operand}"` });
      return;
    }
    if (operandsNeedingRTarget.has(c.Operand) && c.RTarget === "") {
      ctx.addIssue({
        code: "custom",
        path: ["RTarget"],
        message: `operator "${c.Operand}" requires an RTarget`,
      });
    }
    if (c.Operand === "distinct_property" && c.LTarget === "") {
      ctx.addIssue({ code: "custom", path: ["LTarget"], message: "distinct_property requires an LTarget" });
    }
    if (c.Operand === "distinct_property" && c.RTarget !== "" && !/^[1-9][0-9]*$/.test(c.RTarget)) {
      ctx.addIssue({
        code: "custom",
        path: ["RTarget"],
        message: "distinct_property RTarget must be a positive integer",
      });
    }
  });
export type Constraint = z.output<typeof ConstraintSchema>;

export const AffinitySchema = z
  .object({
    LTarget: str(),
    RTarget: str(),
    Operand: z
      .string()
      .nullish()
      .transform((v) => (v === null || v === undefined || v === "" ? "=" : v)),
    Weight: z
      .number()
      .int()
      .nullish()
      .transform((v) => (v === null || v === undefined || v === 0 ? DEFAULT_AFFINITY_WEIGHT : v)),
  })
  .superRefine((a, ctx) => {
    if (!(AFFINITY_OPERANDS as readonly string[]).includes(a.Operand)) {
      ctx.addIssue({
        code: "custom",
        path: ["Operand"],
        message: `Unknown affinity operator "${a.Operand}"`,
      });
    }
    if (a.Weight < -100 || a.Weight > 100) {
      ctx.addIssue({
        code: "custom",
        path: ["Weight"],
        message: "affinity weight must be within [-100, 100]",
      });
    }
  });
export type Affinity = z.output<typeof AffinitySchema>;

export const SpreadTargetSchema = z
  .object({
    Value: str(),
    Percent: int(0),
  })
  .loose();
export type SpreadTarget = z.output<typeof SpreadTargetSchema>;

export const SpreadSchema = z
  .object({
    Attribute: str(),
    Weight: z
      .number()
      .int()
      .nullish()
      .transform((v) => (v === null || v === undefined ? DEFAULT_SPREAD_WEIGHT : v)),
    SpreadTarget: list(SpreadTargetSchema),
  })
  .superRefine((s, ctx) => {
    if (s.Attribute === "")
      ctx.addIssue({ code: "custom", path: ["Attribute"], message: "missing spread attribute" });
    if (s.Weight <= 0 || s.Weight > 100) {
      ctx.addIssue({ code: "custom", path: ["Weight"], message: "spread weight must be within (0, 100]" });
    }
    let sum = 0;
    const seen = new Set<string>();
    s.SpreadTarget.forEach((t, i) => {
      if (t.Percent < 0 || t.Percent > 100) {
        ctx.addIssue({
          code: "custom",
          path: ["SpreadTarget", i, "Percent"],
          message: "percent must be within [0, 100]",
        });
      }
      if (seen.has(t.Value)) {
        ctx.addIssue({
          code: "custom",
          path: ["SpreadTarget", i, "Value"],
          message: `duplicate target "${t.Value}"`,
        });
      }
      seen.add(t.Value);
      sum += t.Percent;
    });
    if (sum > 100) {
      ctx.addIssue({
        code: "custom",
        path: ["SpreadTarget"],
        message: "sum of spread target percentages must not exceed 100",
      });
    }
  });
export type Spread = z.output<typeof SpreadSchema>;

/** The reason string Nomad records in AllocMetric.ConstraintFiltered: `"<LTarget> <Operand> <RTarget>"`. */
export function constraintString(c: { LTarget: string; Operand: string; RTarget: string }): string {
  return `${c.LTarget} ${c.Operand} ${c.RTarget}`;
}
