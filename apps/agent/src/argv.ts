/**
 * Nomad's CLI takes Go-style single-dash long flags (`-detach`, `-address=http://..`,
 * `nomad agent -dev`); commander wants `--detach`. This rewrites `-word[=value]` to
 * `--word[=value]` before commander parses (and `--flag=true|false` to `--flag` / `--no-flag`,
 * Go's spelling of a boolean). Left alone: single-letter flags (`-h`, `-f`,
 * `-n`), negative numbers (`-1`, `-1.5`), anything already `--`, and everything after `--`.
 *
 * `argv` is the user arguments (without node and the script path).
 */
export function normalizeArgs(argv: readonly string[]): string[] {
  const out: string[] = [];
  let passthrough = false;
  for (const arg of argv) {
    if (passthrough) {
      out.push(arg);
      continue;
    }
    if (arg === "--") {
      passthrough = true;
      out.push(arg);
      continue;
    }
    const long = isSingleDashLongFlag(arg) ? `-${arg}` : arg;
    out.push(goBoolValue(long));
  }
  return out;
}

/** `process.argv` form: keeps the first two entries (node, script) as they are. */
export function normalizeProcessArgv(argv: readonly string[]): string[] {
  return [...argv.slice(0, 2), ...normalizeArgs(argv.slice(2))];
}

/**
 * Go's bool flags accept `-flag=true` / `-flag=false`; commander has `--flag` and `--no-flag`.
 * Only these two literal values are rewritten.
 */
function goBoolValue(arg: string): string {
  const m = /^--([A-Za-z][A-Za-z0-9_-]*)=(true|false)$/.exec(arg);
  if (m === null) return arg;
  return m[2] === "true" ? `--${m[1]}` : `--no-${m[1]}`;
}

function isSingleDashLongFlag(arg: string): boolean {
  if (!arg.startsWith("-") || arg.startsWith("--")) return false;
  const name = arg.slice(1).split("=", 1)[0] ?? "";
  // A flag name: a letter then letters, digits, `-` or `_`; two characters at least.
  return name.length >= 2 && /^[A-Za-z][A-Za-z0-9_-]*$/.test(name);
}
