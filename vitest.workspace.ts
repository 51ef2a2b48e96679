// The test projects, one per workspace package plus the repository checks in test/.
// vitest.config.ts imports this list (Vitest 4 reads `test.projects`);
// `pnpm --filter <pkg> test` runs `vitest run --project <pkg>` from the repo root.
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL(".", import.meta.url));

const projectDirs: Record<string, string> = {
  "@nomad/raft": "packages/raft",
  "@nomad/gossip": "packages/gossip",
  "@nomad/fingerprint": "packages/fingerprint",
  "@nomad/structs": "packages/structs",
  "@nomad/jobspec": "packages/jobspec",
  "@nomad/scheduler": "packages/scheduler",
  "@nomad/gc": "packages/gc",
  "@nomad/agent": "apps/agent",
  repo: ".",
};

export const projects = Object.entries(projectDirs).map(([name, dir]) => ({
  extends: true as const,
  test: {
    name,
    root: repoRoot + dir,
    include: ["test/**/*.test.ts"],
  },
}));
