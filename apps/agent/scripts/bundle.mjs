// Bundles the `nomad` executable into bundle/ (ESM, split so that `nomad version` and the API
// commands load only what they use, minified). One file graph instead of ~300 modules cuts the
// agent's start-up by about a third (see README, Performance). Run by `pnpm build` after tsc.
// Kept outside the bundle: packages with native addons or files they read at run time.
import { build } from "esbuild";
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new globalThis.URL("..", import.meta.url));
rmSync(root + "bundle", { recursive: true, force: true });
await build({
  entryPoints: [root + "src/main.ts"],
  outdir: root + "bundle",
  bundle: true,
  splitting: true,
  minify: true,
  platform: "node",
  target: "node20",
  format: "esm",
  conditions: ["@nomad/source"],
  external: ["@cdktf/hcl2json", "msgpackr-extract", "bufferutil", "utf-8-validate"],
  // CommonJS dependencies bundled into ESM still call require().
  banner: {
    js: "import { createRequire as __nomadRequire } from 'node:module'; const require = __nomadRequire(import.meta.url);",
  },
  logLevel: "warning",
});
