import { FieldError } from "./errors.js";
import { services } from "./hcl-service.js";
import { volumeMounts, volumes } from "./hcl-volume.js";
import {
  blockList,
  bool,
  duration,
  f,
  int,
  labelledBlocks,
  mapBlock,
  singleBlock,
  str,
  strList,
  strMap,
  type FieldSpec,
  type Reader,
  unescapeDeep,
} from "./hcl-values.js";

/*
 * Nomad's HCL job spec -> API JSON (the shape `PUT /v1/jobs` takes). Key names follow
 * Nomad's jobspec: snake_case HCL keys, PascalCase API fields, durations as ns, and a few
 * renames (attribute/value/operator -> LTarget/RTarget/Operand, memory -> MemoryMB,
 * port static -> ReservedPorts, port without static -> DynamicPorts).
 */

const one =
  (spec: Readonly<Record<string, FieldSpec>>): Reader =>
  (v, path) =>
    mapBlock(singleBlock(v, path), path, spec);

const many =
  (read: (body: Record<string, unknown>, path: string) => unknown): Reader =>
  (v, path) =>
    blockList(v, path).map((b, i) => read(b, `${path}[${i}]`));

// Shorthand operators: `distinct_hosts = true`, `version = ">= 1.2"`, ... set the operand.
const CONSTRAINT_SHORTHANDS = [
  "version",
  "semver",
  "regexp",
  "set_contains",
  "set_contains_any",
  "set_contains_all",
] as const;

function readConstraint(
  body: Record<string, unknown>,
  path: string,
  weighted: boolean,
): Record<string, unknown> {
  const out: Record<string, unknown> = { LTarget: "", RTarget: "", Operand: "=" };
  for (const [key, value] of Object.entries(body)) {
    const at = `${path}.${key}`;
    if (key === "attribute") out["LTarget"] = str(value, at);
    else if (key === "value") out["RTarget"] = str(value, at);
    else if (key === "operator") out["Operand"] = str(value, at);
    else if (key === "weight" && weighted) out["Weight"] = int(value, at);
    else if (key === "distinct_hosts" && !weighted) {
      if (bool(value, at) === true) out["Operand"] = "distinct_hosts";
    } else if (key === "distinct_property" && !weighted) {
      out["Operand"] = "distinct_property";
      out["LTarget"] = str(value, at);
    } else if ((CONSTRAINT_SHORTHANDS as readonly string[]).includes(key)) {
      out["Operand"] = key;
      out["RTarget"] = str(value, at);
    } else {
      throw new FieldError(at, `unsupported argument "${key}" in ${weighted ? "affinity" : "constraint"}`);
    }
  }
  return out;
}

const constraints: Reader = many((b, p) => readConstraint(b, p, false));
const affinities: Reader = many((b, p) => readConstraint(b, p, true));

const spreads: Reader = many((body, path) =>
  mapBlock(body, path, {
    attribute: f("Attribute", str),
    weight: f("Weight", int),
    target: f("SpreadTarget", (v, p) =>
      labelledBlocks(v, p).map(({ label, body: t }) => ({
        Value: label,
        ...mapBlock(t, `${p}.${label}`, { value: f("Value", str), percent: f("Percent", int) }),
      })),
    ),
  }),
);

const update: Reader = one({
  stagger: f("Stagger", duration),
  max_parallel: f("MaxParallel", int),
  health_check: f("HealthCheck", str),
  min_healthy_time: f("MinHealthyTime", duration),
  healthy_deadline: f("HealthyDeadline", duration),
  progress_deadline: f("ProgressDeadline", duration),
  auto_revert: f("AutoRevert", bool),
  auto_promote: f("AutoPromote", bool),
  canary: f("Canary", int),
});

const restart: Reader = one({
  attempts: f("Attempts", int),
  interval: f("Interval", duration),
  delay: f("Delay", duration),
  mode: f("Mode", str),
  render_templates: f("RenderTemplates", bool),
});

const reschedule: Reader = one({
  attempts: f("Attempts", int),
  interval: f("Interval", duration),
  delay: f("Delay", duration),
  delay_function: f("DelayFunction", str),
  max_delay: f("MaxDelay", duration),
  unlimited: f("Unlimited", bool),
});

const migrate: Reader = one({
  max_parallel: f("MaxParallel", int),
  health_check: f("HealthCheck", str),
  min_healthy_time: f("MinHealthyTime", duration),
  healthy_deadline: f("HealthyDeadline", duration),
});

const ephemeralDisk: Reader = one({
  sticky: f("Sticky", bool),
  size: f("SizeMB", int),
  migrate: f("Migrate", bool),
});

const PORT_SPEC = {
  static: f("Value", int),
  to: f("To", int),
  host_network: f("HostNetwork", str),
  ignore_collision: f("IgnoreCollision", bool),
};

/** `port "http" { static = 8080 }` is reserved; a port without `static` is dynamic. */
const networks: Reader = many((body, path) => {
  const { port, ...rest } = body;
  const out = mapBlock(rest, path, {
    mode: f("Mode", str),
    mbits: f("MBits", int),
    hostname: f("Hostname", str),
  });
  const reserved: Record<string, unknown>[] = [];
  const dynamic: Record<string, unknown>[] = [];
  if (port !== undefined) {
    for (const { label, body: p } of labelledBlocks(port, `${path}.port`)) {
      const mapped = { Label: label, ...mapBlock(p, `${path}.port.${label}`, PORT_SPEC) };
      ("Value" in mapped ? reserved : dynamic).push(mapped);
    }
  }
  return { ...out, ReservedPorts: reserved, DynamicPorts: dynamic };
});

const resources: Reader = one({
  cpu: f("CPU", int),
  cores: f("Cores", int),
  memory: f("MemoryMB", int),
  memory_max: f("MemoryMaxMB", int),
  disk: f("DiskMB", int),
  iops: f("IOPS", int),
});

const logs: Reader = one({
  max_files: f("MaxFiles", int),
  max_file_size: f("MaxFileSizeMB", int),
  disabled: f("Disabled", bool),
});

/**
 * Driver config is free-form (each driver validates its own); only the outer block is
 * unwrapped. Nested blocks inside it stay as hcl2json wrote them (arrays of objects).
 */
const driverConfig: Reader = (v, path) => unescapeDeep(singleBlock(v, path));

const lifecycle: Reader = one({ hook: f("Hook", str), sidecar: f("Sidecar", bool) });

const artifacts: Reader = many((body, path) =>
  mapBlock(body, path, {
    source: f("GetterSource", str),
    destination: f("RelativeDest", str),
    mode: f("GetterMode", str),
    insecure: f("GetterInsecure", bool),
    options: f("GetterOptions", strMap),
    headers: f("GetterHeaders", strMap),
    chown: f("Chown", bool),
  }),
);

const templates: Reader = many((body, path) =>
  mapBlock(body, path, {
    source: f("SourcePath", str),
    destination: f("DestPath", str),
    data: f("EmbeddedTmpl", str),
    change_mode: f("ChangeMode", str),
    change_signal: f("ChangeSignal", str),
    once: f("Once", bool),
    splay: f("Splay", duration),
    perms: f("Perms", str),
    uid: f("Uid", int),
    gid: f("Gid", int),
    left_delimiter: f("LeftDelim", str),
    right_delimiter: f("RightDelim", str),
    env: f("Envvars", bool),
    error_on_missing_key: f("ErrMissingKey", bool),
  }),
);

const TASK_SPEC: Readonly<Record<string, FieldSpec>> = {
  driver: f("Driver", str),
  user: f("User", str),
  config: f("Config", driverConfig),
  env: f("Env", strMap),
  meta: f("Meta", strMap),
  resources: f("Resources", resources),
  restart: f("RestartPolicy", restart),
  constraint: f("Constraints", constraints),
  affinity: f("Affinities", affinities),
  kill_timeout: f("KillTimeout", duration),
  kill_signal: f("KillSignal", str),
  leader: f("Leader", bool),
  shutdown_delay: f("ShutdownDelay", duration),
  logs: f("LogConfig", logs),
  lifecycle: f("Lifecycle", lifecycle),
  artifact: f("Artifacts", artifacts),
  template: f("Templates", templates),
  dispatch_payload: f("DispatchPayload", one({ file: f("File", str) })),
  service: f("Services", services),
  volume_mount: f("VolumeMounts", volumeMounts),
};

const tasks: Reader = (v, path) =>
  labelledBlocks(v, path).map(({ label, body }) => ({
    Name: label,
    ...mapBlock(body, `${path}.${label}`, TASK_SPEC),
  }));

const GROUP_SPEC: Readonly<Record<string, FieldSpec>> = {
  count: f("Count", int),
  constraint: f("Constraints", constraints),
  affinity: f("Affinities", affinities),
  spread: f("Spreads", spreads),
  network: f("Networks", networks),
  task: f("Tasks", tasks),
  ephemeral_disk: f("EphemeralDisk", ephemeralDisk),
  meta: f("Meta", strMap),
  restart: f("RestartPolicy", restart),
  reschedule: f("ReschedulePolicy", reschedule),
  update: f("Update", update),
  migrate: f("Migrate", migrate),
  shutdown_delay: f("ShutdownDelay", duration),
  stop_after_client_disconnect: f("StopAfterClientDisconnect", duration),
  max_client_disconnect: f("MaxClientDisconnect", duration),
  prevent_reschedule_on_lost: f("PreventRescheduleOnLost", bool),
  service: f("Services", services),
  volume: f("Volumes", volumes),
};

const groups: Reader = (v, path) =>
  labelledBlocks(v, path).map(({ label, body }) => ({
    Name: label,
    ...mapBlock(body, `${path}.${label}`, GROUP_SPEC),
  }));

/** A periodic block always means cron (the only spec type); Enabled defaults to true as in Nomad's api. */
const periodic: Reader = (v, path) => ({
  Enabled: true,
  SpecType: "cron",
  ...mapBlock(singleBlock(v, path), path, {
    enabled: f("Enabled", bool),
    cron: f("Spec", str),
    crons: f("Specs", strList),
    prohibit_overlap: f("ProhibitOverlap", bool),
    time_zone: f("TimeZone", str),
  }),
});

const parameterized: Reader = one({
  payload: f("Payload", str),
  meta_required: f("MetaRequired", strList),
  meta_optional: f("MetaOptional", strList),
});

const JOB_SPEC: Readonly<Record<string, FieldSpec>> = {
  name: f("Name", str),
  region: f("Region", str),
  namespace: f("Namespace", str),
  node_pool: f("NodePool", str),
  type: f("Type", str),
  priority: f("Priority", int),
  all_at_once: f("AllAtOnce", bool),
  datacenters: f("Datacenters", strList),
  meta: f("Meta", strMap),
  constraint: f("Constraints", constraints),
  affinity: f("Affinities", affinities),
  spread: f("Spreads", spreads),
  update: f("Update", update),
  group: f("TaskGroups", groups),
  periodic: f("Periodic", periodic),
  parameterized: f("ParameterizedJob", parameterized),
};

/**
 * The whole file: exactly one `job "id" { }` block. Returns the API-JSON job (not yet
 * validated or canonicalised; parseJobFile hands it to @nomad/structs for that).
 */
export function hclToApiJob(doc: Record<string, unknown>): Record<string, unknown> {
  for (const key of Object.keys(doc)) {
    if (key !== "job")
      throw new FieldError(key, `unsupported top-level block "${key}"; expected job "name" { }`);
  }
  if (doc["job"] === undefined) throw new FieldError("job", 'no job "name" { } block in file');
  const jobs = labelledBlocks(doc["job"], "job");
  if (jobs.length !== 1)
    throw new FieldError("job", `exactly one job block is allowed, found ${jobs.length}`);
  const { label, body } = jobs[0]!;
  return { ID: label, Name: label, ...mapBlock(body, `job.${label}`, JOB_SPEC) };
}
