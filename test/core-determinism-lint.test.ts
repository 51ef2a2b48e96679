// The deterministic-core rule (ARCHITECTURE.md rule 1) is enforced by ESLint, not by review:
// these tests lint sample code as if it lived in a core and check that the rule fires.
import { ESLint } from "eslint";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const eslint = new ESLint({ cwd: repoRoot });

async function ruleIdsFor(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => m.ruleId ?? "fatal");
}

const core = "packages/raft/src/core/sample.ts";
const adapter = "packages/raft/src/runtime/sample.ts";

describe("lint rule: no clock, randomness or timers in packages/*/src/core/**", () => {
  it.each([
    ["Date.now()", "export const t = Date.now();", "no-restricted-globals"],
    ["new Date()", "export const t = new Date();", "no-restricted-globals"],
    ["Math.random()", "export const r = Math.random();", "no-restricted-properties"],
    ["setTimeout", "setTimeout(() => undefined, 1);", "no-restricted-globals"],
    ["setInterval", "setInterval(() => undefined, 1);", "no-restricted-globals"],
    ["performance.now()", "export const t = performance.now();", "no-restricted-globals"],
    ["node:timers", 'import { setTimeout as s } from "node:timers";\nexport { s };', "no-restricted-imports"],
  ])("rejects %s in a core", async (_name, code, rule) => {
    expect(await ruleIdsFor(code, core)).toContain(rule);
  });

  it("allows the same calls outside a core (runtimes own the timers)", async () => {
    const code = "export const t = Date.now() + Math.random();\nsetTimeout(() => undefined, 1);\n";
    expect(await ruleIdsFor(code, adapter)).toEqual([]);
  });

  it("allows injected clocks and PRNGs in a core", async () => {
    const code =
      "export function step(now: () => number, random: () => number): number {\n  return now() + random();\n}\n";
    expect(await ruleIdsFor(code, core)).toEqual([]);
  });
});
