// `nomad-fingerprint`: prints this host's fingerprint as JSON. Kept apart from cli.ts so
// tests call it with their own argv and output sink.

import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { parseFingerprintConfig, FingerprintConfigError } from "../config.js";
import { fingerprintHost } from "../fingerprint-host.js";
import { loadFixtureProbe } from "../probe/fixture-probe.js";
import type { HostProbe } from "../probe/host-probe.js";

export const USAGE = `Usage: nomad-fingerprint [options]

Prints this host's Nomad fingerprint (node attributes, resources, drivers) as JSON.

Options:
  --config <file>             JSON file with fingerprint config keys (data_dir, reserved, drivers ...)
  --data-dir <dir>            keep the node ID in <dir>/client/client-id and measure <dir>/alloc
  --network-interface <name>  interface to fingerprint (default: the default route's)
  --raw-exec                  enable the raw_exec driver (off by default, as in Nomad)
  --fixture <dir>             fingerprint a recorded host instead of this one
  --compact                   one line of JSON
  -h, --help                  this text
`;

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

/** Returns the process exit code: 0 ok, 2 usage or config error. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let values: ReturnType<typeof parse>["values"];
  try {
    // `pnpm run fingerprint -- --flag` passes the `--` through; it carries no meaning here.
    values = parse(argv[0] === "--" ? argv.slice(1) : argv).values;
  } catch (e) {
    io.err(`${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help === true) {
    io.out(USAGE);
    return 0;
  }
  let input: Record<string, unknown> = {};
  try {
    if (values.config !== undefined)
      input = JSON.parse(readFileSync(values.config, "utf8")) as Record<string, unknown>;
    if (values["data-dir"] !== undefined) input["data_dir"] = values["data-dir"];
    if (values["network-interface"] !== undefined) input["network_interface"] = values["network-interface"];
    if (values["raw-exec"] === true) {
      const drivers = (input["drivers"] ?? {}) as Record<string, unknown>;
      input["drivers"] = { ...drivers, raw_exec: { enabled: true } };
    }
    const config = parseFingerprintConfig(input);
    const probe: HostProbe | undefined =
      values.fixture === undefined ? undefined : loadFixtureProbe(values.fixture);
    const fp = await fingerprintHost({ config, ...(probe === undefined ? {} : { probe }) });
    io.out(JSON.stringify(fp, null, values.compact === true ? undefined : 2) + "\n");
    return 0;
  } catch (e) {
    const prefix = e instanceof FingerprintConfigError ? "invalid config:\n" : "";
    io.err(`${prefix}${(e as Error).message}\n`);
    return 2;
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      config: { type: "string" },
      "data-dir": { type: "string" },
      "network-interface": { type: "string" },
      "raw-exec": { type: "boolean" },
      fixture: { type: "string" },
      compact: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: false,
  });
}
