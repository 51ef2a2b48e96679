// Task `user`: resolved to uid/gid with the system's own `id` (NSS-aware: local files, LDAP...).

import { execFileSync } from "node:child_process";
import { DriverStartError } from "./types.js";

export interface ResolvedUser {
  uid: number;
  gid: number;
}

export function resolveUser(name: string): ResolvedUser {
  const run = (flag: string): number => {
    try {
      const out = execFileSync("id", [flag, "--", name], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
      });
      const n = Number(out.trim());
      if (!Number.isInteger(n)) throw new Error("not a number");
      return n;
    } catch {
      throw new DriverStartError(`user: unknown user ${JSON.stringify(name)}`, false);
    }
  };
  const uid = run("-u");
  const gid = run("-g");
  if (process.getuid !== undefined && process.getuid() !== 0 && process.getuid() !== uid) {
    throw new DriverStartError(
      `user: running tasks as ${JSON.stringify(name)} needs the agent to run as root`,
      false,
    );
  }
  return { uid, gid };
}
