import {
  blockList,
  bool,
  duration,
  f,
  int,
  mapBlock,
  singleBlock,
  str,
  strList,
  strMap,
  type Reader,
} from "./hcl-values.js";

/*
 * `service` and its `check` blocks (group or task level) -> the API's Services[] and
 * Checks[]. Consul Connect, identity and weights are not mapped yet (an error names them).
 */

const checkRestart: Reader = (v, path) =>
  mapBlock(singleBlock(v, path), path, {
    limit: f("Limit", int),
    grace: f("Grace", duration),
    ignore_warnings: f("IgnoreWarnings", bool),
  });

/** `header { X-Key = ["a", "b"] }`: each header maps to a list of values. */
const headers: Reader = (v, path) => {
  const body = singleBlock(v, path);
  return Object.fromEntries(Object.entries(body).map(([k, x]) => [k, strList(x, `${path}.${k}`)]));
};

const checks: Reader = (v, path) =>
  blockList(v, path).map((body, i) =>
    mapBlock(body, `${path}[${i}]`, {
      name: f("Name", str),
      type: f("Type", str),
      command: f("Command", str),
      args: f("Args", strList),
      path: f("Path", str),
      protocol: f("Protocol", str),
      port: f("PortLabel", str),
      expose: f("Expose", bool),
      address_mode: f("AddressMode", str),
      advertise: f("Advertise", str),
      interval: f("Interval", duration),
      timeout: f("Timeout", duration),
      initial_status: f("InitialStatus", str),
      notes: f("Notes", str),
      tls_server_name: f("TLSServerName", str),
      tls_skip_verify: f("TLSSkipVerify", bool),
      header: f("Header", headers),
      method: f("Method", str),
      check_restart: f("CheckRestart", checkRestart),
      grpc_service: f("GRPCService", str),
      grpc_use_tls: f("GRPCUseTLS", bool),
      task: f("TaskName", str),
      success_before_passing: f("SuccessBeforePassing", int),
      failures_before_critical: f("FailuresBeforeCritical", int),
      failures_before_warning: f("FailuresBeforeWarning", int),
      body: f("Body", str),
      on_update: f("OnUpdate", str),
    }),
  );

export const services: Reader = (v, path) =>
  blockList(v, path).map((body, i) =>
    mapBlock(body, `${path}[${i}]`, {
      name: f("Name", str),
      tags: f("Tags", strList),
      canary_tags: f("CanaryTags", strList),
      enable_tag_override: f("EnableTagOverride", bool),
      port: f("PortLabel", str),
      address_mode: f("AddressMode", str),
      address: f("Address", str),
      check: f("Checks", checks),
      check_restart: f("CheckRestart", checkRestart),
      meta: f("Meta", strMap),
      canary_meta: f("CanaryMeta", strMap),
      tagged_addresses: f("TaggedAddresses", strMap),
      task: f("TaskName", str),
      on_update: f("OnUpdate", str),
      provider: f("Provider", str),
      cluster: f("Cluster", str),
      kind: f("Kind", str),
    }),
  );
