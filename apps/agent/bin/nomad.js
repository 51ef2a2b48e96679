#!/usr/bin/env node
// The built entry point (`pnpm build` writes bundle/); `pnpm nomad` runs the sources through tsx instead.
await import("../bundle/main.js");
