// The agent's telemetry for /v1/metrics: prom-client's process and runtime collectors, HTTP
// request counters, and gauges taken from the server's and client's stats at scrape time.
import {
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  Registry,
  type MetricObjectWithValues,
  type MetricValue,
} from "prom-client";
import type { AgentBackend } from "../agent/backend.js";

export class HttpMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<"method" | "path" | "code">;
  private readonly durations: Histogram<"method" | "path">;
  private readonly statGauges = new Map<string, Gauge>();
  private backend: AgentBackend | undefined;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({
      name: "nomad_http_requests_total",
      help: "HTTP API requests by method, route pattern and status code",
      labelNames: ["method", "path", "code"],
      registers: [this.registry],
    });
    this.durations = new Histogram({
      name: "nomad_http_request_duration_seconds",
      help: "HTTP API request durations by method and route pattern",
      labelNames: ["method", "path"],
      buckets: [0.001, 0.005, 0.025, 0.1, 0.5, 2.5, 10, 60, 300],
      registers: [this.registry],
    });
    new Gauge({
      name: "nomad_runtime_alloc_bytes",
      help: "Bytes of heap in use",
      registers: [this.registry],
      collect() {
        this.set(process.memoryUsage().heapUsed);
      },
    });
    new Gauge({
      name: "nomad_runtime_sys_bytes",
      help: "Resident set size of the agent process",
      registers: [this.registry],
      collect() {
        this.set(process.memoryUsage().rss);
      },
    });
  }

  setBackend(backend: AgentBackend): void {
    this.backend = backend;
  }

  /** One finished request; `path` is the route pattern (bounded label values), not the URL. */
  observe(method: string, path: string, code: number, seconds: number): void {
    this.requests.inc({ method, path, code: String(code) });
    this.durations.observe({ method, path }, seconds);
  }

  /** Numeric stats of the server (`nomad_<group>_<key>`) and client (`nomad_client_<key>`) as gauges. */
  private refreshStatGauges(): void {
    const b = this.backend;
    if (b === undefined) return;
    const values = new Map<string, number>();
    const add = (group: string, stats: Record<string, string>): void => {
      for (const [k, v] of Object.entries(stats)) {
        const n = typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
        if (v === "true" || v === "false") values.set(metricName(group, k), v === "true" ? 1 : 0);
        else if (Number.isFinite(n)) values.set(metricName(group, k), n);
      }
    };
    try {
      if (b.server !== undefined) {
        for (const [group, stats] of Object.entries(b.server.stats() as Record<string, unknown>)) {
          if (typeof stats === "object" && stats !== null) add(group, stats as Record<string, string>);
          else add("nomad", { [group]: String(stats) });
        }
      }
      if (b.client !== undefined) add("client", b.client.stats());
    } catch {
      return; // a component shutting down: skip its gauges for this scrape
    }
    for (const [name, value] of values) {
      let g = this.statGauges.get(name);
      if (g === undefined) {
        g = new Gauge({ name, help: `agent stat ${name}`, registers: [this.registry] });
        this.statGauges.set(name, g);
      }
      g.set(value);
    }
  }

  async prometheus(): Promise<{ contentType: string; text: string }> {
    this.refreshStatGauges();
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }

  /** Nomad's JSON shape (go-metrics' in-memory sink): Gauges, Counters, Samples. */
  async json(now: Date = new Date()): Promise<Record<string, unknown>> {
    this.refreshStatGauges();
    const metrics = (await this.registry.getMetricsAsJSON()) as MetricObjectWithValues<MetricValue<string>>[];
    const gauges: unknown[] = [];
    const counters: unknown[] = [];
    const samples: unknown[] = [];
    for (const m of metrics) {
      const type = String(m.type);
      if (type === "gauge") {
        for (const v of m.values) gauges.push({ Name: m.name, Value: v.value, Labels: labels(v) });
      } else if (type === "counter") {
        for (const v of m.values) counters.push(summary(m.name, v.value, v.value, labels(v)));
      } else if (type === "histogram") {
        const byLabels = new Map<string, { count: number; sum: number; labels: Record<string, string> }>();
        for (const v of m.values) {
          const l = { ...labels(v) };
          delete l["le"];
          const key = JSON.stringify(l);
          const e = byLabels.get(key) ?? { count: 0, sum: 0, labels: l };
          // prom-client's histogram values carry the series name (`_bucket`, `_sum`, `_count`).
          const series = (v as { metricName?: string }).metricName ?? "";
          if (series.endsWith("_count")) e.count = v.value;
          if (series.endsWith("_sum")) e.sum = v.value;
          byLabels.set(key, e);
        }
        for (const e of byLabels.values()) samples.push(summary(m.name, e.count, e.sum, e.labels));
      }
    }
    return { Timestamp: now.toISOString(), Gauges: gauges, Counters: counters, Samples: samples, Points: [] };
  }
}

function labels(v: MetricValue<string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v.labels)) if (val !== undefined) out[k] = String(val);
  return out;
}

function summary(
  name: string,
  count: number,
  sum: number,
  l: Record<string, string>,
): Record<string, unknown> {
  const mean = count === 0 ? 0 : sum / count;
  return { Name: name, Count: count, Rate: 0, Sum: sum, Min: 0, Max: 0, Mean: mean, Stddev: 0, Labels: l };
}

function metricName(group: string, key: string): string {
  return `nomad_${group}_${key}`.replace(/[^a-zA-Z0-9_]/g, "_").toLowerCase();
}
