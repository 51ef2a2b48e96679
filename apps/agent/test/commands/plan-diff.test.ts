import { describe, expect, it } from "vitest";
import { formatJobDiff } from "../../src/commands/plan-diff.js";

describe("job plan diff (Nomad's layout)", () => {
  it("aligns edited fields inside objects and closes them under the marker", () => {
    const out = formatJobDiff(
      {
        Type: "Edited",
        ID: "example",
        Fields: null,
        Objects: null,
        TaskGroups: [
          {
            Type: "Edited",
            Name: "cache",
            Updates: { "create/destroy update": 1 },
            Tasks: [
              {
                Type: "Edited",
                Name: "redis",
                Annotations: ["forces create/destroy update"],
                Objects: [
                  {
                    Type: "Edited",
                    Name: "Config",
                    Fields: [
                      { Type: "Edited", Name: "image", Old: "redis:3.2", New: "redis:4.0" },
                      { Type: "None", Name: "port_map[0][db]", Old: "6379", New: "6379" },
                    ],
                  },
                ],
              },
            ],
          },
        ],
      },
      false,
    );
    expect(out.trim().split("\n")).toEqual([
      '+/- Job: "example"',
      '+/- Task Group: "cache" (1 create/destroy update)',
      '  +/- Task: "redis" (forces create/destroy update)',
      "    +/- Config {",
      '      +/- image:           "redis:3.2" => "redis:4.0"',
      '          port_map[0][db]: "6379"',
      "        }",
    ]);
  });

  it("an unchanged job prints only its task groups and tasks", () => {
    const out = formatJobDiff(
      {
        Type: "None",
        ID: "example",
        TaskGroups: [
          { Type: "None", Name: "cache", Updates: { ignore: 1 }, Tasks: [{ Type: "None", Name: "redis" }] },
        ],
      },
      false,
    );
    expect(out.trim().split("\n")).toEqual([
      'Job: "example"',
      'Task Group: "cache" (1 ignore)',
      '  Task: "redis"',
    ]);
  });
});
