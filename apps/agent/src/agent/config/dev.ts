// What `-dev` changes before files and flags are merged (Nomad's DevConfig): one process that
// is server and client, reachable only on loopback, chatty logs, raw_exec on, nothing persisted.
import { platform } from "node:os";
import type { PartialAgentConfig } from "./schema.js";

export function devConfig(): PartialAgentConfig {
  return {
    bind_addr: "127.0.0.1", // a dev agent must not be reachable from the network
    log_level: "DEBUG",
    enable_debug: true,
    disable_anonymous_signature: true,
    server: { enabled: true, bootstrap_expect: 1 }, // a cluster of one elects itself at once
    client: {
      enabled: true,
      network_interface: platform() === "darwin" ? "lo0" : "lo",
      options: { "driver.raw_exec.enable": "true", "driver.docker.volumes": "true" },
      gc_interval: "10m", // dev boxes rarely run out of disk; keep finished allocs around to inspect
      gc_disk_usage_threshold: 99,
      gc_inode_usage_threshold: 99,
    },
    plugin: { raw_exec: { config: { enabled: true } } },
  };
}
