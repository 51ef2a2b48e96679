import type { CliDeps } from "./deps.js";

/**
 * Nomad's cli.Ui: Output and Info go to stdout, Warn and Error to stderr, one line each.
 * The prefixed form is the evaluation monitor's (`==> ` for info/errors, four spaces for
 * output), applied to every line of a message.
 */
export class Ui {
  constructor(
    protected readonly deps: Pick<CliDeps, "stdout" | "stderr">,
    private readonly prefixes: { info?: string; output?: string; error?: string; warn?: string } = {},
  ) {}

  output(message: string): void {
    this.deps.stdout.write(prefixLines(this.prefixes.output, message));
  }
  info(message: string): void {
    this.deps.stdout.write(prefixLines(this.prefixes.info, message));
  }
  warn(message: string): void {
    this.deps.stderr.write(prefixLines(this.prefixes.warn, message));
  }
  error(message: string): void {
    this.deps.stderr.write(prefixLines(this.prefixes.error, message));
  }

  /** The monitor's view of this Ui. */
  prefixed(): Ui {
    return new Ui(this.deps, { info: "==> ", output: "    ", error: "==> " });
  }
}

function prefixLines(prefix: string | undefined, message: string): string {
  if (prefix === undefined || prefix === "") return `${message}\n`;
  const lines = message
    .replace(/\n+$/, "")
    .split("\n")
    .map((l) => `${prefix}${l}`);
  return `${lines.join("\n").trimEnd()}\n`;
}
