// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";

// Deterministic cores (ARCHITECTURE.md rule 1): code under packages/*/src/core/** gets its
// clock, randomness and timers injected, so these are forbidden there.
const coreNondeterminism = {
  "no-restricted-globals": [
    "error",
    { name: "Date", message: "Inject a clock: cores are deterministic." },
    { name: "setTimeout", message: "Cores are driven by tick(); no timers." },
    { name: "setInterval", message: "Cores are driven by tick(); no timers." },
    { name: "setImmediate", message: "Cores are driven by tick(); no timers." },
    { name: "performance", message: "Inject a clock: cores are deterministic." },
  ],
  "no-restricted-properties": [
    "error",
    { object: "Math", property: "random", message: "Inject a seeded PRNG: cores are deterministic." },
    { object: "performance", property: "now", message: "Inject a clock: cores are deterministic." },
    { object: "globalThis", property: "setTimeout", message: "Cores are driven by tick(); no timers." },
    { object: "globalThis", property: "setInterval", message: "Cores are driven by tick(); no timers." },
    { object: "globalThis", property: "Date", message: "Inject a clock: cores are deterministic." },
  ],
  "no-restricted-imports": [
    "error",
    { name: "node:timers", message: "Cores are driven by tick(); no timers." },
    { name: "node:perf_hooks", message: "Inject a clock: cores are deterministic." },
  ],
};

export default tseslint.config(
  {
    ignores: [
      "**/dist/**",
      "**/bundle/**",
      "**/node_modules/**",
      "**/.turbo/**",
      "**/coverage/**",
      "**/.prof-out/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: "readonly", console: "readonly", Buffer: "readonly" } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-constant-condition": ["error", { checkLoops: false }],
    },
  },
  { files: ["packages/*/src/core/**/*.ts"], rules: coreNondeterminism },
);
