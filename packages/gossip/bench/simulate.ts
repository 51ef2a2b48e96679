// The simulated-cluster benchmark: n Memberlist cores on the virtual clock, joining, then
// one killed. Reports virtual seconds and rounds (200 ms gossip rounds, 1 s probe rounds in
// the lan profile) to converge and to detect the failure, the packets sent, and what it
// cost this process: CPU per simulated member, peak heap and peak RSS. Gives up (saying how
// far it got) past its wall-time or heap cap.
import { SimCluster } from "../src/testing/sim.js";

export interface SimulateOptions {
  readonly n: number;
  /** Run every packet through the real codec (default: members share decoded messages). */
  readonly wire: boolean;
  /**
   * "storm": every member joins n0 at virtual time 0 (the worst case: every join goes
   * through one member). "staggered": member i starts at i × staggerMs and joins a random
   * member started before it (a rolling start).
   */
  readonly join: "storm" | "staggered";
  readonly staggerMs: number;
  readonly maxWallS: number;
  readonly maxHeapMiB: number;
  /** Print a progress line to stderr every this many virtual seconds (0 = never). */
  readonly progressEveryS: number;
  /**
   * Virtual seconds to wait for convergence before killing the victim anyway (its detection
   * then counts the members that know it); a 10,000-member pool's last stragglers wait for
   * push/pull, whose interval is 300 s at that size.
   */
  readonly convergeMaxS: number;
}

const GOSSIP_MS = 200;
const PROBE_MS = 1000;
const MiB = 1048576;
const r2 = (x: number) => Math.round(x * 100) / 100;

export function simulate(o: SimulateOptions): Record<string, unknown> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const sim = new SimCluster({ seed: 7, wire: o.wire, recordEvents: false, profile: "lan" });
  let peakHeap = 0;
  let peakRss = 0;
  const sample = () => {
    const m = process.memoryUsage();
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakRss = Math.max(peakRss, m.rss);
    return m;
  };
  /** One progress line on stderr: where the run is, what it cost so far, plus `extra`. */
  const progress = (m: NodeJS.MemoryUsage, extra: Record<string, number>) => {
    const line = {
      n: o.n,
      virtual_s: sim.now / 1000,
      wall_s: r2((performance.now() - t0) / 1000),
      packets: sim.packetsSent,
      ...extra,
      rss_mib: Math.round(m.rss / MiB),
    };
    process.stderr.write(`progress ${JSON.stringify(line)}\n`);
  };
  for (let i = 0; i < o.n; i++) sim.add(`n${i}`);
  let joinsDoneMs = 0;
  if (o.join === "storm") {
    for (let i = 1; i < o.n; i++) sim.join(`n${i}`, ["n0"]);
  } else {
    // one join every staggerMs, each to a member already in (drawn from a fixed LCG so the
    // choice does not consume the simulator's random stream)
    let lcg = 12345;
    for (let i = 1; i < o.n; i++) {
      sim.run(o.staggerMs);
      lcg = (Math.imul(lcg, 1103515245) + 12345) >>> 0;
      sim.join(`n${i}`, [`n${lcg % i}`]);
      if (i % 1000 === 0) {
        const m = sample();
        if (o.progressEveryS > 0) progress(m, { joined: i });
      }
    }
    joinsDoneMs = sim.now;
  }
  const maxHeapBytes = o.maxHeapMiB * MiB;
  let lastProgress = sim.now;
  const wallLeft = () => {
    const m = sample();
    if (o.progressEveryS > 0 && sim.now - lastProgress >= o.progressEveryS * 1000) {
      lastProgress = sim.now;
      progress(m, {
        known_fraction: Number(sim.knownFraction().toFixed(5)),
        heap_mib: Math.round(m.heapUsed / MiB),
      });
    }
    return m.heapUsed > maxHeapBytes ? 0 : o.maxWallS * 1000 - (performance.now() - t0);
  };
  // runUntil in slices, so a run that cannot finish stops at the caps
  const until = (pred: () => boolean, maxVirtualMs: number): number => {
    const start = sim.now;
    while (sim.now - start < maxVirtualMs && wallLeft() > 0) {
      const t = sim.runUntil(pred, Math.min(1000, maxVirtualMs - (sim.now - start)), GOSSIP_MS);
      if (t >= 0) return sim.now - start;
    }
    return -1;
  };
  const converge = until(() => sim.converged(), o.convergeMaxS * 1000);
  const convergeReal = (performance.now() - t0) / 1000;
  // from the joins at time 0 (storm), or from the last join (staggered)
  const convergeS = converge < 0 ? null : converge / 1000;
  const knownAtKill = sim.knownFraction();
  let detect = -1;
  const capped = wallLeft() <= 0;
  if (!capped) {
    const victim = `n${o.n - 1}`;
    sim.kill(victim);
    const others = [...sim.members.keys()].filter((x) => x !== victim);
    // dead at every member that knows it (all of them, once converged)
    const declared = () => others.every((x) => (sim.view(x, victim) ?? "dead") === "dead");
    detect = until(declared, 300_000);
  }
  sample();
  const virtualS = sim.now / 1000;
  const realS = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(cpu0);
  const cpuMs = (c.user + c.system) / 1000;
  return {
    scenario: "simulated",
    n: o.n,
    wire: o.wire,
    join: o.join,
    ...(o.join === "staggered" ? { stagger_ms: o.staggerMs, joins_done_virtual_s: joinsDoneMs / 1000 } : {}),
    converge_virtual_s: convergeS,
    converge_gossip_rounds: convergeS === null ? null : (convergeS * 1000) / GOSSIP_MS,
    converge_probe_rounds: convergeS === null ? null : (convergeS * 1000) / PROBE_MS,
    converge_real_s: r2(convergeReal),
    known_fraction_at_kill: Number(knownAtKill.toFixed(6)),
    detect_failure_virtual_s: detect < 0 ? null : detect / 1000,
    detect_failure_probe_rounds: detect < 0 ? null : detect / PROBE_MS,
    virtual_s: virtualS,
    packets: sim.packetsSent,
    real_s: r2(realS),
    gave_up_at_cap: capped || detect < 0,
    peak_heap_mib: Math.round(peakHeap / MiB),
    peak_rss_mib: Math.round(peakRss / MiB),
    // CPU the simulator spent per simulated member: per second of its virtual time, and
    // per second of real (wall) time the run took
    cpu_ms_per_member_per_virtual_s: r2(cpuMs / o.n / virtualS),
    cpu_ms_per_member_per_real_s: r2(cpuMs / o.n / realS),
  };
}
