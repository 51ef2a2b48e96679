// The node's ID: a UUID created once and kept in <state_dir>/client-id (Nomad's file,
// <data_dir>/client by default), so the node keeps its identity across restarts. With
// `no_host_uuid = false` the host's own UUID is used instead, as in Nomad. A file that
// exists but does not hold a UUID is refused (degraded) rather than replaced: silently
// minting a new ID would register a second node for the same machine.

import type { Fingerprinter } from "../types.js";
import type { HostProbe } from "../probe/host-probe.js";
import { stateDirOf } from "../config.js";
import { asUuid, UUID_PATTERN } from "../parse/uuid.js";

export const NODE_ID_FILE = "client-id";

function isNotFound(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: unknown }).code === "ENOENT";
}

async function hostUuid(probe: HostProbe): Promise<string | undefined> {
  for (const file of ["/sys/class/dmi/id/product_uuid", "/etc/machine-id"]) {
    try {
      const id = asUuid(await probe.readText(file));
      if (id !== undefined) return id;
    } catch {
      // try the next source
    }
  }
  return undefined;
}

export const nodeIdFingerprinter: Fingerprinter = {
  name: "node_id",
  periodicIntervalMs: null,
  async fingerprint({ probe, config }) {
    const stateDir = stateDirOf(config);
    if (stateDir === undefined) {
      // Nothing to keep it in: an ID for this run only (the CLI without a data dir).
      return { detected: true, attributes: {}, nodeId: probe.randomUUID() };
    }
    const file = `${stateDir}/${NODE_ID_FILE}`;
    try {
      const text = await probe.readText(file);
      const id = text.trim().toLowerCase();
      if (!UUID_PATTERN.test(id))
        throw new Error(`${file} does not hold a UUID; refusing to replace a node identity`);
      return { detected: true, attributes: {}, nodeId: id };
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    const id = (!config.no_host_uuid ? await hostUuid(probe) : undefined) ?? probe.randomUUID();
    await probe.mkdirp(stateDir);
    await probe.writeTextDurable(file, id);
    return { detected: true, attributes: {}, nodeId: id };
  },
};
