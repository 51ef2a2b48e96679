// The test projects: one per workspace package (every folder under packages/ and apps/ with a
// package.json, named after the package) plus the repository checks in test/ ("repo").
// vitest.config.ts imports this list (Vitest 4 reads `test.projects`);
// `pnpm --filter <pkg> test` runs `vitest run --project <pkg>` from the repo root.
// Derived from the folders so that a new package cannot be left out of the test run.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL(".", import.meta.url));

function workspacePackages(parent: string): Array<[name: string, dir: string]> {
  return readdirSync(repoRoot + parent, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(`${repoRoot}${parent}/${entry.name}/package.json`))
    .map((entry) => {
      const dir = `${parent}/${entry.name}`;
      const manifest = JSON.parse(readFileSync(`${repoRoot}${dir}/package.json`, "utf8")) as { name: string };
      return [manifest.name, dir];
    });
}

const projectDirs: Array<[name: string, dir: string]> = [
  ...workspacePackages("packages"),
  ...workspacePackages("apps"),
  ["repo", "."],
];

export const projects = projectDirs.map(([name, dir]) => ({
  extends: true as const,
  test: {
    name,
    root: repoRoot + dir,
    include: ["test/**/*.test.ts"],
  },
}));
