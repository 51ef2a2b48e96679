// Entry point of `npx @nomad/fingerprint` (through bin/nomad-fingerprint.js and dist) and
// of `pnpm fingerprint` (through tsx, from source).

import { runCli } from "./cli/run-cli.js";

process.exitCode = await runCli(process.argv.slice(2), {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
});
