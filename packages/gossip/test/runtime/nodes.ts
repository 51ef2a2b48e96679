// Real-socket SerfNodes for runtime tests: started on a free loopback port, shut down after
// each test, and a polling wait that names what it waited for when it times out.
import { afterEach } from "vitest";
import type { Profile } from "../../src/config.js";
import { SerfNode } from "../../src/runtime/serf-node.js";

/** Registers an afterEach that shuts down every node the returned `start` made. */
export function loopbackNodes(profile: Profile): (name: string) => Promise<SerfNode> {
  const nodes: SerfNode[] = [];
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.shutdown()));
  });
  return async (name) => {
    const n = await SerfNode.start({ name, bindHost: "127.0.0.1", bindPort: 0 }, () => undefined, profile);
    nodes.push(n);
    return n;
  };
}

export async function until(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
