#!/usr/bin/env node
// `npx @nomad/fingerprint`: runs the built CLI (run `pnpm --filter @nomad/fingerprint build` first
// inside the repository; the published package ships dist/).
import "../dist/cli.js";
