// nomad.version, nomad.revision, nomad.service_discovery and unique.advertise.address:
// facts about the agent itself, taken from its configuration.

import type { Fingerprinter } from "../types.js";

export const nomadFingerprinter: Fingerprinter = {
  name: "nomad",
  periodicIntervalMs: null,
  async fingerprint({ config }) {
    const attributes: Record<string, string> = {
      "nomad.version": config.nomad_version,
      "nomad.revision": config.nomad_revision,
      "nomad.service_discovery": String(config.service_discovery),
    };
    if (config.http_addr !== undefined) attributes["unique.advertise.address"] = config.http_addr;
    return { detected: true, attributes };
  },
};
