import { normalizeProcessArgv } from "./argv.js";
import { buildCli } from "./cli.js";

// Nomad's flags are single-dash (`-address=...`, `agent -dev`); commander wants `--`.
const argv = normalizeProcessArgv(process.argv);
const light = argv[2] === "agent" || argv[2] === "version";
await (await buildCli({ apiCommands: !light })).parseAsync(argv);
