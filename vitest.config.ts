import { defineConfig } from "vitest/config";
import { projects } from "./vitest.workspace.js";

// Tests run on TypeScript sources: the `@nomad/source` export condition points each
// workspace package at src/ instead of dist/, so no build step comes before a test run.
const conditions = ["@nomad/source", "node", "import", "module", "default"];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: conditions } },
  test: {
    projects,
    reporters: ["default", "./scripts/summary-reporter.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
  },
});
