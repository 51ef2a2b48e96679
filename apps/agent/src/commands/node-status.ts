import type { Allocation, Node, NodeListStub } from "@nomad/structs";
import { BYTES_PER_MEGABYTE, humanizeIBytes } from "../format/bytes.js";
import { formatKV, formatList } from "../format/columnize.js";
import { limit } from "../format/ids.js";
import { formatTime, parseRfc3339Ms } from "../format/time.js";
import { errText, formatAllocTable, idLength, type ClientFlags, type CommandContext } from "./common.js";
import { resolveNode } from "./node-lookup.js";

export interface NodeStatusFlags extends ClientFlags {
  self?: boolean;
  verbose?: boolean;
  short?: boolean;
  os?: boolean;
  quiet?: boolean;
  allocs?: boolean;
  json?: boolean;
}

/** `nomad node status [node]`: the node list, or one node's details. */
export async function nodeStatus(
  ctx: CommandContext,
  args: string[],
  flags: NodeStatusFlags,
): Promise<number> {
  if (args.length > 1) {
    ctx.ui.error("This command takes either one or no arguments");
    ctx.ui.error("For additional help try 'nomad node status -help'");
    return 1;
  }
  const length = idLength(flags.verbose);
  if (args.length === 0 && flags.self !== true) return listNodes(ctx, flags, length);

  const node = await resolveNode(
    ctx,
    args[0],
    flags.self === true,
    "Error querying node info",
    (p) => `No node(s) with prefix "${p}" found`,
    flags.verbose === true,
  );
  if (flags.json === true) {
    ctx.ui.output(JSON.stringify(node, null, 4));
    return 0;
  }
  return formatNode(ctx, node, flags, length);
}

async function listNodes(ctx: CommandContext, flags: NodeStatusFlags, length: number): Promise<number> {
  if (flags.quiet === true && flags.verbose === true) {
    ctx.ui.error("-quiet cannot be used with -verbose or -json");
    return 1;
  }
  let nodes: NodeListStub[];
  try {
    nodes = (await ctx.api.nodes.list({ ...(flags.os === true ? { os: true } : {}) })).value ?? [];
  } catch (err) {
    ctx.ui.error(`Error querying node status: ${errText(err)}`);
    return 1;
  }
  if (flags.json === true) {
    ctx.ui.output(JSON.stringify(nodes, null, 4));
    return 0;
  }
  if (nodes.length === 0) {
    ctx.ui.output("No nodes registered");
    return 0;
  }
  if (flags.quiet === true) {
    ctx.ui.output(formatList(nodes.map((n) => n.ID)));
    return 0;
  }
  let header = "ID|Node Pool|DC|Name|Class|";
  if (flags.os === true) header += "OS|";
  if (flags.verbose === true) header += "Address|Version|";
  header += "Drain|Eligibility|Status";
  if (flags.allocs === true) header += "|Running Allocs";
  const rows = [header];
  for (const n of nodes) {
    let row = [limit(n.ID, length), n.NodePool, n.Datacenter, n.Name, n.NodeClass].join("|");
    if (flags.os === true) row += `|${n.Attributes?.["os.name"] ?? ""}`;
    if (flags.verbose === true) row += `|${n.Address}|${n.Version}`;
    row += `|${n.Drain}|${n.SchedulingEligibility}|${n.Status}`;
    if (flags.allocs === true) {
      try {
        const allocs = (await ctx.api.nodes.allocations(n.ID)).value ?? [];
        row += `|${allocs.filter((a) => a.ClientStatus === "running").length}`;
      } catch (err) {
        ctx.ui.error(`Error querying node allocations: ${errText(err)}`);
        return 1;
      }
    }
    rows.push(row);
  }
  ctx.ui.output(formatList(rows));
  return 0;
}

function formatDrain(n: Node): string {
  const ds = n.DrainStrategy;
  if (ds === null || ds === undefined) return "false";
  let out = "true";
  const forceMs = parseRfc3339Ms(ds.ForceDeadline);
  if ((ds.DrainSpec?.Deadline ?? 0) < 0) out += "; force drain";
  else if (forceMs === 0) out += "; no deadline";
  else out += `; ${formatTime(forceMs)} deadline`;
  if (ds.DrainSpec?.IgnoreSystemJobs === true) out += "; ignoring system jobs";
  return out;
}

async function formatNode(
  ctx: CommandContext,
  node: Node,
  flags: NodeStatusFlags,
  length: number,
): Promise<number> {
  let allocs: Allocation[];
  try {
    allocs = (await ctx.api.nodes.allocations(node.ID)).value ?? [];
  } catch (err) {
    ctx.ui.error(`Error querying node allocations: ${errText(err)}`);
    return 1;
  }
  const running = allocs.filter((a) => a.ClientStatus === "running");
  const basic = [
    `ID|${node.ID}`,
    `Name|${node.Name}`,
    `Node Pool|${node.NodePool}`,
    `Class|${node.NodeClass}`,
    `DC|${node.Datacenter}`,
    `Drain|${formatDrain(node)}`,
    `Eligibility|${node.SchedulingEligibility}`,
    `Status|${node.Status}`,
    `CSI Controllers|`,
    `CSI Drivers|`,
  ];
  const record = node as Record<string, unknown>;
  const hostVolumes = Object.keys((record["HostVolumes"] as Record<string, unknown> | null) ?? {})
    .sort()
    .join(",");
  const hostNetworks = Object.keys((record["HostNetworks"] as Record<string, unknown> | null) ?? {})
    .sort()
    .join(",");
  if (flags.short === true) {
    basic.push(
      `Host Volumes|${hostVolumes}`,
      `Host Networks|${hostNetworks}`,
      `CSI Volumes|`,
      `Drivers|${nodeDrivers(node)}`,
    );
    ctx.ui.output(formatKV(basic));
    outputAllocs(ctx, allocs, flags, length, node);
    return 0;
  }
  if (flags.verbose !== true) {
    basic.push(
      `Host Volumes|${hostVolumes}`,
      `Host Networks|${hostNetworks}`,
      `CSI Volumes|`,
      `Driver Status| ${truncatedDriverInfo(node)}`,
    );
  }
  ctx.ui.output(formatKV(basic));
  if (flags.verbose === true) outputDrivers(ctx, node);

  ctx.ui.output("\nNode Events");
  const events = ((record["Events"] as NodeEventLike[] | null) ?? []).slice();
  const eventRows = [flags.verbose === true ? "Time|Subsystem|Message|Details" : "Time|Subsystem|Message"];
  for (const e of events.reverse()) {
    const subsystem = e.Details?.["driver"] ? `Driver: ${e.Details["driver"]}` : e.Subsystem;
    const cells = [formatTime(parseRfc3339Ms(e.Timestamp)), subsystem, e.Message];
    if (flags.verbose === true)
      cells.push(
        Object.entries(e.Details ?? {})
          .map(([k, v]) => `${k}: ${v}`)
          .join(", "),
      );
    eventRows.push(cells.join("|"));
  }
  ctx.ui.output(formatList(eventRows));

  ctx.ui.output("\nAllocated Resources");
  ctx.ui.output(formatList(allocatedResources(node, running)));
  outputAllocs(ctx, allocs, flags, length, node);
  return 0;
}

interface NodeEventLike {
  Message: string;
  Subsystem: string;
  Details?: Record<string, string> | null;
  Timestamp: string;
}

function outputAllocs(
  ctx: CommandContext,
  allocs: Allocation[],
  flags: NodeStatusFlags,
  length: number,
  node: Node,
): void {
  ctx.ui.output("\nAllocations");
  ctx.ui.output(formatAllocList(allocs, flags.verbose === true, length, ctx.deps.now()));
  if (flags.verbose === true) {
    ctx.ui.output("\nAttributes");
    ctx.ui.output(
      formatKV(
        Object.keys(node.Attributes ?? {})
          .sort()
          .map((k) => `${k}|${node.Attributes[k]}`),
      ),
    );
    ctx.ui.output("\nMeta");
    ctx.ui.output(
      formatKV(
        Object.keys(node.Meta ?? {})
          .sort()
          .map((k) => `${k}|${node.Meta[k]}`),
      ),
    );
  }
}

function nodeDrivers(n: Node): string {
  return Object.entries(n.Attributes ?? {})
    .filter(([k, v]) => {
      const parts = k.split(".");
      return parts.length === 2 && parts[0] === "driver" && v === "1";
    })
    .map(([k]) => k.split(".")[1]!)
    .sort()
    .join(",");
}

function truncatedDriverInfo(n: Node): string {
  const out: string[] = [];
  for (const [name, info] of Object.entries(n.Drivers ?? {})) {
    if (!info.Detected) continue;
    out.push(info.Healthy ? name : `${name} (unhealthy)`);
  }
  return out.sort().join(",");
}

function outputDrivers(ctx: CommandContext, n: Node): void {
  ctx.ui.output("\nDrivers");
  const rows = ["Driver|Detected|Healthy|Message|Time"];
  for (const name of Object.keys(n.Drivers ?? {}).sort()) {
    const d = n.Drivers[name]!;
    rows.push(
      [name, d.Detected, d.Healthy, d.HealthDescription, formatTime(parseRfc3339Ms(d.UpdateTime))].join("|"),
    );
  }
  ctx.ui.output(formatList(rows));
}

/** Nomad's getAllocatedResources: running allocations' CPU/memory/disk against the node's allocatable total. */
function allocatedResources(n: Node, running: Allocation[]): string[] {
  let cpu = 0;
  let mem = 0;
  let disk = 0;
  for (const a of running) {
    const r = a.AllocatedResources;
    if (r === null || r === undefined) continue;
    for (const t of Object.values(r.Tasks ?? {})) {
      cpu += t.Cpu?.CpuShares ?? 0;
      mem += t.Memory?.MemoryMB ?? 0;
    }
    disk += r.Shared?.DiskMB ?? 0;
  }
  const totalCpu = (n.NodeResources?.Cpu?.CpuShares ?? 0) - (n.ReservedResources?.Cpu?.CpuShares ?? 0);
  const totalMem = (n.NodeResources?.Memory?.MemoryMB ?? 0) - (n.ReservedResources?.Memory?.MemoryMB ?? 0);
  const totalDisk = (n.NodeResources?.Disk?.DiskMB ?? 0) - (n.ReservedResources?.Disk?.DiskMB ?? 0);
  const count = n.NodeMaxAllocs ? `${running.length}/${n.NodeMaxAllocs}` : String(running.length);
  return [
    "CPU|Memory|Disk|Alloc Count",
    [
      `${cpu}/${totalCpu} MHz`,
      `${humanizeIBytes(mem * BYTES_PER_MEGABYTE)}/${humanizeIBytes(totalMem * BYTES_PER_MEGABYTE)}`,
      `${humanizeIBytes(disk * BYTES_PER_MEGABYTE)}/${humanizeIBytes(totalDisk * BYTES_PER_MEGABYTE)}`,
      count,
    ].join("|"),
  ];
}

/** Nomad's formatAllocList (full allocations, as /v1/node/:id/allocations returns them). */
export function formatAllocList(
  allocs: readonly Allocation[],
  verbose: boolean,
  length: number,
  nowMs: number,
): string {
  const rows = allocs.map((a) => ({
    ID: a.ID,
    EvalID: a.EvalID,
    NodeID: a.NodeID,
    TaskGroup: a.TaskGroup,
    Version: String(a.Job?.Version ?? 0),
    DesiredStatus: a.DesiredStatus,
    ClientStatus: a.ClientStatus,
    CreateTime: a.CreateTime,
    ModifyTime: a.ModifyTime,
  }));
  return formatAllocTable(rows, verbose, length, nowMs);
}
