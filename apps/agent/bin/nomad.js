#!/usr/bin/env node
// The built entry point; `pnpm nomad` runs the sources through tsx instead.
await import("../dist/main.js");
