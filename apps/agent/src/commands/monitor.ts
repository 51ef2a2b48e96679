import type { AllocListStub, AllocMetric, Evaluation } from "@nomad/structs";
import { formatList } from "../format/columnize.js";
import { limit } from "../format/ids.js";
import { formatGoDuration, formatTime } from "../format/time.js";
import { errText, type CommandContext } from "./common.js";
import type { Ui } from "./ui.js";

/** Nomad polls the evaluation once a second (its monitor is poll-based). */
export const MONITOR_POLL_MS = 1000;

interface AllocState {
  id: string;
  group: string;
  node: string;
  desired: string;
  client: string;
  clientDesc: string;
  index: number;
}

interface EvalState {
  status: string;
  node: string;
  job: string;
  deployment: string;
  allocs: Map<string, AllocState>;
  index: number;
}

function newEvalState(): EvalState {
  return { status: "pending", node: "", job: "", deployment: "", allocs: new Map(), index: 0 };
}

/**
 * Nomad's evaluation monitor (`nomad job run`, `job stop`, `eval status -monitor`): prints
 * what changes while the evaluation is processed, follows NextEval chains, and returns the
 * exit code: 0 done, 1 error, 2 some allocations could not be placed.
 */
export class EvalMonitor {
  private state: EvalState = newEvalState();
  private readonly ui: Ui;

  constructor(
    private readonly ctx: CommandContext,
    private readonly length: number,
  ) {
    this.ui = ctx.ui.prefixed();
  }

  private ts(): string {
    return formatTime(this.ctx.deps.now());
  }

  private update(next: EvalState): void {
    const existing = this.state;
    if (existing.node === "" && next.node !== "") {
      this.ui.output(`${this.ts()}: Evaluation triggered by node "${limit(next.node, this.length)}"`);
    }
    if (existing.job === "" && next.job !== "") {
      this.ui.output(`${this.ts()}: Evaluation triggered by job "${next.job}"`);
    }
    if (existing.deployment === "" && next.deployment !== "") {
      this.ui.output(`${this.ts()}: Evaluation within deployment: "${limit(next.deployment, this.length)}"`);
    }
    for (const [id, alloc] of next.allocs) {
      const before = existing.allocs.get(id);
      if (before === undefined) {
        if (alloc.index < next.index) {
          this.ui.output(
            `${this.ts()}: Allocation "${limit(alloc.id, this.length)}" modified: node "${limit(alloc.node, this.length)}", group "${alloc.group}"`,
          );
        } else if (alloc.desired === "run") {
          this.ui.output(
            `${this.ts()}: Allocation "${limit(alloc.id, this.length)}" created: node "${limit(alloc.node, this.length)}", group "${alloc.group}"`,
          );
        }
      } else if (before.client !== alloc.client) {
        const description = alloc.clientDesc !== "" ? ` (${alloc.clientDesc})` : "";
        this.ui.output(
          `${this.ts()}: Allocation "${limit(alloc.id, this.length)}" status changed: "${before.client}" -> "${alloc.client}"${description}`,
        );
      }
    }
    if (existing.status !== "" && next.status !== "pending" && existing.status !== next.status) {
      this.ui.output(`${this.ts()}: Evaluation status changed: "${existing.status}" -> "${next.status}"`);
    }
    this.state = next;
  }

  async monitor(evalID: string): Promise<number> {
    let schedFailure = false;
    this.update(newEvalState());
    this.ui.info(`${this.ts()}: Monitoring evaluation "${limit(evalID, this.length)}"`);
    for (;;) {
      let ev: Evaluation;
      try {
        ev = (await this.ctx.api.evaluations.read(evalID)).value;
      } catch {
        this.ui.error(`No evaluation with id "${evalID}" found`);
        return 1;
      }
      const next: EvalState = {
        status: ev.Status,
        node: ev.NodeID ?? "",
        job: ev.JobID ?? "",
        deployment: ev.DeploymentID ?? "",
        allocs: new Map(),
        index: ev.CreateIndex ?? 0,
      };
      let allocs: AllocListStub[];
      try {
        allocs = (await this.ctx.api.evaluations.allocations(ev.ID)).value ?? [];
      } catch (err) {
        this.ui.error(`${this.ts()}: Error reading allocations: ${errText(err)}`);
        return 1;
      }
      for (const a of allocs) {
        next.allocs.set(a.ID, {
          id: a.ID,
          group: a.TaskGroup,
          node: a.NodeID,
          desired: a.DesiredStatus,
          client: a.ClientStatus,
          clientDesc: a.ClientDescription ?? "",
          index: a.CreateIndex,
        });
      }
      this.update(next);

      if (ev.Status !== "complete" && ev.Status !== "failed" && ev.Status !== "canceled") {
        if (this.ctx.deps.signal.aborted) return 1;
        await this.ctx.deps.sleep(MONITOR_POLL_MS, this.ctx.deps.signal);
        continue;
      }

      const failed = ev.FailedTGAllocs ?? {};
      const groups = Object.keys(failed).sort();
      if (groups.length === 0) {
        this.ui.info(
          `${this.ts()}: Evaluation "${limit(ev.ID, this.length)}" finished with status "${ev.Status}"`,
        );
      } else {
        schedFailure = true;
        this.ui.info(
          `${this.ts()}: Evaluation "${limit(ev.ID, this.length)}" finished with status "${ev.Status}" but failed to place all allocations:`,
        );
        for (const tg of groups) {
          const metrics = failed[tg]!;
          const n = (metrics.CoalescedFailures ?? 0) + 1;
          this.ui.output(
            `${this.ts()}: Task Group "${tg}" (failed to place ${n} ${n > 1 ? "allocations" : "allocation"}):`,
          );
          const text = formatAllocMetrics(metrics, false, "  ");
          for (const line of text.split("\n")) this.ui.output(line);
        }
        if (ev.BlockedEval !== undefined && ev.BlockedEval !== "") {
          this.ui.output(
            `${this.ts()}: Evaluation "${limit(ev.BlockedEval, this.length)}" waiting for additional capacity to place remainder`,
          );
        }
      }

      if (ev.NextEval !== undefined && ev.NextEval !== "") {
        if ((ev.Wait ?? 0) !== 0) {
          this.ui.info(
            `${this.ts()}: Monitoring next evaluation "${limit(ev.NextEval, this.length)}" in ${formatGoDuration(ev.Wait)}`,
          );
          await this.ctx.deps.sleep(ev.Wait / 1e6, this.ctx.deps.signal);
        }
        this.state = newEvalState();
        return this.monitor(ev.NextEval);
      }
      break;
    }
    return schedFailure ? 2 : 0;
  }
}

/** Nomad's formatAllocMetrics: why placements failed, one `* ` line per reason. */
export function formatAllocMetrics(m: AllocMetric, scores: boolean, prefix: string): string {
  let out = "";
  if ((m.NodesEvaluated ?? 0) === 0) out += `${prefix}* No nodes were eligible for evaluation\n`;
  for (const [dc, available] of sortedEntries(m.NodesAvailable)) {
    if (available === 0) out += `${prefix}* No nodes are available in datacenter "${dc}"\n`;
  }
  for (const [cls, num] of sortedEntries(m.ClassFiltered))
    out += `${prefix}* Class "${cls}": ${num} nodes excluded by filter\n`;
  for (const [cs, num] of sortedEntries(m.ConstraintFiltered)) {
    out += `${prefix}* Constraint ${goQuote(cs)}: ${num} nodes excluded by filter\n`;
  }
  if ((m.NodesExhausted ?? 0) > 0) out += `${prefix}* Resources exhausted on ${m.NodesExhausted} nodes\n`;
  for (const [cls, num] of sortedEntries(m.ClassExhausted))
    out += `${prefix}* Class "${cls}" exhausted on ${num} nodes\n`;
  for (const [dim, num] of sortedEntries(m.DimensionExhausted)) {
    out += `${prefix}* Dimension ${goQuote(dim)} exhausted on ${num} nodes\n`;
  }
  for (const q of m.QuotaExhausted ?? []) out += `${prefix}* Quota limit hit ${goQuote(q)}\n`;
  if (scores && (m.ScoreMetaData ?? []).length > 0) {
    const names = [...new Set(m.ScoreMetaData.flatMap((s) => Object.keys(s.Scores ?? {})))].sort();
    const rows = [`Node|${names.join("|")}|final score`];
    for (const s of m.ScoreMetaData) {
      rows.push(`${s.NodeID}|${names.map((n) => goG3(s.Scores?.[n] ?? 0)).join("|")}|${goG3(s.NormScore)}`);
    }
    out += formatList(rows);
  }
  return out.replace(/\n$/, "");
}

function sortedEntries(m: Record<string, number> | null | undefined): [string, number][] {
  return Object.entries(m ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Go's %q for the plain strings these messages carry. */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** Go's %.3g. */
function goG3(v: number): string {
  if (v === 0) return "0";
  const s = v.toPrecision(3);
  if (s.includes("e")) {
    const [mant, exp] = s.split("e");
    const e = Number(exp);
    return `${trimZeros(mant!)}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  }
  return trimZeros(s);
}

function trimZeros(s: string): string {
  return s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s;
}
