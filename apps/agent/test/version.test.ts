import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { agentVersion } from "@nomad/agent";

const agentDir = fileURLToPath(new URL("..", import.meta.url));

describe("nomad version", () => {
  it("prints `Nomad v<version>` from a real process", () => {
    const out = execFileSync(
      process.execPath,
      ["--import", "tsx", "--conditions=@nomad/source", "src/main.ts", "version"],
      { cwd: agentDir, encoding: "utf8" },
    );
    expect(out).toBe(`Nomad v${agentVersion}\n`);
    expect(agentVersion).toMatch(/^\d+\.\d+\.\d+/);
  });
});
