import { normalizeProcessArgv } from "./argv.js";
import { buildCli } from "./cli.js";

// Nomad's flags are single-dash (`-address=...`, `agent -dev`); commander wants `--`.
await buildCli().parseAsync(normalizeProcessArgv(process.argv));
