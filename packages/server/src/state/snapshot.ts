// A read-only view over one immutable Tables value. Creating one is O(1); list results are
// materialised on first use and memoised, which is safe because the Tables never change.
import type { NodeUsage } from "@nomad/scheduler";
import type { Allocation, Evaluation, Job, JobSummary, Node } from "@nomad/structs";
import { key3, nsKey, prefix1, prefix2, versionPart } from "./keys.js";
import { emptyTrackedUsage } from "./node-usage.js";
import type { PersistentMap } from "./persistent-map.js";
import type { Tables } from "./tables.js";
import type { StateSnapshot, TableName } from "./types.js";

const MAX_MEMO_ENTRIES = 4_096;

export class TablesSnapshot implements StateSnapshot {
  private readonly memo = new Map<string, readonly unknown[]>();

  constructor(
    /** The underlying immutable tables (for the store's speculative writes and serialisation). */
    readonly tables: Tables,
  ) {}

  private cached<T>(key: string, compute: () => T[]): readonly T[] {
    let v = this.memo.get(key) as readonly T[] | undefined;
    if (v === undefined) {
      v = Object.freeze(compute());
      // A snapshot can live long in a quiet cluster while callers ask for arbitrary keys and
      // prefixes: start over rather than grow without bound.
      if (this.memo.size >= MAX_MEMO_ENTRIES) this.memo.clear();
      this.memo.set(key, v);
    }
    return v;
  }

  private byPrefix<T>(name: string, map: PersistentMap<T>, prefix: string): readonly T[] {
    return this.cached(`${name}:${prefix}`, () => map.prefix(prefix));
  }

  index(table: TableName): number {
    return this.tables.indexes[table];
  }

  latestIndex(): number {
    return this.tables.indexes.index;
  }

  // ---- jobs ----

  jobs(namespace = "*"): readonly Job[] {
    if (namespace === "*") return this.cached("jobs", () => this.tables.jobs.values());
    return this.byPrefix("jobs", this.tables.jobs, prefix1(namespace));
  }

  jobsByIDPrefix(namespace: string, prefix: string): readonly Job[] {
    if (namespace === "*") return this.jobs("*").filter((j) => j.ID.startsWith(prefix));
    return this.byPrefix("jobs", this.tables.jobs, nsKey(namespace, prefix));
  }

  jobByID(namespace: string, id: string): Job | undefined {
    return this.tables.jobs.get(nsKey(namespace, id));
  }

  jobVersions(namespace: string, id: string): readonly Job[] {
    return this.cached(`versions:${nsKey(namespace, id)}`, () =>
      this.tables.jobVersions.prefix(prefix2(namespace, id)).reverse(),
    );
  }

  jobVersion(namespace: string, id: string, version: number): Job | undefined {
    return this.tables.jobVersions.get(key3(namespace, id, versionPart(version)));
  }

  jobSummary(namespace: string, id: string): JobSummary | undefined {
    return this.tables.jobSummary.get(nsKey(namespace, id));
  }

  childJobs(namespace: string, parentID: string): readonly Job[] {
    return this.byPrefix("children", this.tables.jobsByParent, prefix2(namespace, parentID));
  }

  // ---- nodes ----

  nodes(): readonly Node[] {
    return this.cached("nodes", () => this.tables.nodes.values());
  }

  nodesByIDPrefix(prefix: string): readonly Node[] {
    return this.byPrefix("nodes", this.tables.nodes, prefix);
  }

  nodeByID(id: string): Node | undefined {
    return this.tables.nodes.get(id);
  }

  nodeUsage(nodeID: string): NodeUsage {
    return this.tables.nodeUsage.get(nodeID) ?? emptyTrackedUsage();
  }

  // ---- evals ----

  evals(): readonly Evaluation[] {
    return this.cached("evals", () => this.tables.evals.values());
  }

  evalsByIDPrefix(prefix: string): readonly Evaluation[] {
    return this.byPrefix("evals", this.tables.evals, prefix);
  }

  evalByID(id: string): Evaluation | undefined {
    return this.tables.evals.get(id);
  }

  evalsByJob(namespace: string, jobID: string): readonly Evaluation[] {
    return this.byPrefix("evalsByJob", this.tables.evalsByJob, prefix2(namespace, jobID));
  }

  // ---- allocs ----

  allocs(): readonly Allocation[] {
    return this.cached("allocs", () => this.tables.allocs.values());
  }

  allocsByIDPrefix(prefix: string): readonly Allocation[] {
    return this.byPrefix("allocs", this.tables.allocs, prefix);
  }

  allocByID(id: string): Allocation | undefined {
    return this.tables.allocs.get(id);
  }

  allocsByJob(namespace: string, jobID: string): readonly Allocation[] {
    return this.byPrefix("allocsByJob", this.tables.allocsByJob, prefix2(namespace, jobID));
  }

  allocsByNode(nodeID: string): readonly Allocation[] {
    return this.byPrefix("allocsByNode", this.tables.allocsByNode, prefix1(nodeID));
  }

  allocsByEval(evalID: string): readonly Allocation[] {
    return this.byPrefix("allocsByEval", this.tables.allocsByEval, prefix1(evalID));
  }

  allocsByDeployment(deploymentID: string): readonly Allocation[] {
    if (deploymentID === "") return [];
    return this.byPrefix("allocsByDeployment", this.tables.allocsByDeployment, prefix1(deploymentID));
  }
}
