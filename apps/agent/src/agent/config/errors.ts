import type { z } from "zod";

/**
 * A configuration the agent refuses. `message` is the line Nomad prints after `==> `, naming
 * the file (when one is at fault) and the key: `Error loading configuration from ./a.hcl:
 * server.bootstrap_expect: expected a number`.
 */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(
    message: string,
    readonly file?: string,
    readonly key?: string,
  ) {
    super(message);
  }

  static inFile(file: string, detail: string, key?: string): ConfigError {
    const what = key === undefined || key === "" ? detail : `${key}: ${detail}`;
    return new ConfigError(`Error loading configuration from ${file}: ${what}`, file, key);
  }
}

/** The first zod issue as `key.path: what is wrong`, in words a config author can act on. */
export function describeIssue(issue: z.core.$ZodIssue): { key: string; detail: string } {
  const path = issue.path.map(String);
  switch (issue.code) {
    case "unrecognized_keys": {
      const key = [...path, issue.keys[0] ?? ""].join(".");
      return { key, detail: "unknown configuration key" };
    }
    case "invalid_type":
      return { key: path.join("."), detail: `expected ${article(issue.expected)}` };
    case "invalid_union":
      return { key: path.join("."), detail: "expected a string" };
    case "too_small":
      return { key: path.join("."), detail: `must be at least ${String(issue.minimum)}` };
    case "too_big":
      return { key: path.join("."), detail: `must be at most ${String(issue.maximum)}` };
    default:
      return { key: path.join("."), detail: issue.message };
  }
}

function article(expected: string): string {
  switch (expected) {
    case "array":
      return "a list";
    case "object":
    case "record":
      return "a block or map";
    case "int":
      return "an integer";
    default:
      return `a ${expected}`;
  }
}
