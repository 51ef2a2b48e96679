// Runs the fingerprinters: all of them once at start, then each periodic one on its own
// interval, on an injected scheduler. After every refresh the node fingerprint is rebuilt
// and compared with the last one handed out; listeners hear only about real changes, so
// a client re-registers only when a server would see something new.
//
// Nothing a fingerprinter does can escape: a throw, a rejection or a hang past
// `fingerprint_timeout_ms` marks that fingerprinter degraded (its last good result is
// kept) and every other fingerprinter still answers. Listener errors are contained too.

import type {
  DriverInfo,
  FingerprintContext,
  Fingerprinter,
  FingerprintResult,
  HostFingerprint,
} from "../types.js";
import { parseFingerprintConfig, type FingerprintConfig, type FingerprintConfigInput } from "../config.js";
import type { HostProbe } from "../probe/host-probe.js";
import { LiveHostProbe } from "../probe/live-probe.js";
import { builtinDriverDetectors, createDefaultRegistry, type FingerprinterRegistry } from "../registry.js";
import { assemble, type FingerprinterEntry } from "../assemble.js";
import { diffFingerprints, hasChanges, type FingerprintDiff } from "./diff.js";
import { TimerScheduler, type Scheduler } from "./scheduler.js";

export interface FingerprintChange {
  previous: HostFingerprint;
  current: HostFingerprint;
  diff: FingerprintDiff;
  /** Fingerprinter whose refresh produced the change. */
  source: string;
}

export type FingerprintListener = (change: FingerprintChange) => void;

export interface FingerprintManagerOptions {
  probe?: HostProbe;
  config?: FingerprintConfig | FingerprintConfigInput;
  registry?: FingerprinterRegistry;
  scheduler?: Scheduler;
}

export class FingerprintTimeoutError extends Error {
  readonly code = "TIMEOUT" as const;
  constructor(name: string, ms: number) {
    super(`fingerprinter "${name}" did not answer within ${ms} ms`);
    this.name = "FingerprintTimeoutError";
  }
}

export class ManagerNotStartedError extends Error {
  readonly code = "NOT_STARTED" as const;
  constructor() {
    super("FingerprintManager.start() has not completed");
    this.name = "ManagerNotStartedError";
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class FingerprintManager {
  readonly config: FingerprintConfig;
  private readonly probe: HostProbe;
  private readonly scheduler: Scheduler;
  private readonly fingerprinters: Fingerprinter[];
  private readonly entries = new Map<string, FingerprinterEntry>();
  private readonly drivers: Record<string, DriverInfo> = {};
  private readonly listeners = new Set<FingerprintListener>();
  private readonly cancels = new Map<string, () => void>();
  private snapshot: HostFingerprint | undefined;
  private starting: Promise<HostFingerprint> | undefined;
  /** Runs in progress, so a refresh() never overlaps a periodic run of the same source. */
  private readonly inFlight = new Map<string, Promise<void>>();
  /** Sources whose last call outlived its timeout and has not settled yet. */
  private readonly hung = new Set<string>();
  private running = false;
  /** Listener exceptions swallowed so far (a listener bug must not stop refreshes). */
  listenerErrors = 0;

  constructor(options: FingerprintManagerOptions = {}) {
    this.config = parseFingerprintConfig(options.config ?? {});
    this.probe = options.probe ?? new LiveHostProbe();
    this.scheduler = options.scheduler ?? new TimerScheduler();
    this.fingerprinters = (
      options.registry ?? createDefaultRegistry(builtinDriverDetectors(this.config))
    ).select(this.config);
  }

  /** Runs every fingerprinter once and starts the periodic ones. Never rejects. */
  async start(): Promise<HostFingerprint> {
    this.starting ??= this.startOnce();
    return this.starting;
  }

  private async startOnce(): Promise<HostFingerprint> {
    const ctx = this.context();
    await Promise.all(this.fingerprinters.map((f) => this.runOne(f, ctx)));
    this.snapshot = this.build();
    this.running = true;
    for (const f of this.fingerprinters) this.scheduleNext(f);
    return this.snapshot;
  }

  /** Stops periodic refreshes; the last fingerprint stays readable. */
  stop(): void {
    this.running = false;
    for (const cancel of this.cancels.values()) cancel();
    this.cancels.clear();
  }

  current(): HostFingerprint {
    if (this.snapshot === undefined) throw new ManagerNotStartedError();
    return this.snapshot;
  }

  onChange(listener: FingerprintListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Periodic fingerprinters and their effective intervals (config overrides applied). */
  periodic(): Array<{ name: string; intervalMs: number }> {
    const out: Array<{ name: string; intervalMs: number }> = [];
    for (const f of this.fingerprinters) {
      const ms = this.intervalOf(f);
      if (ms !== null) out.push({ name: f.name, intervalMs: ms });
    }
    return out;
  }

  /** Runs one fingerprinter now (e.g. after a config reload) and emits if that changed anything. */
  async refresh(name: string): Promise<void> {
    const f = this.fingerprinters.find((x) => x.name === name);
    if (f === undefined) return;
    await this.runOne(f, this.context());
    this.publish(f.name);
  }

  private context(): FingerprintContext {
    return { probe: this.probe, config: this.config };
  }

  private intervalOf(f: Fingerprinter): number | null {
    if (f.periodicIntervalMs === null) return null;
    return this.config.periodic_intervals_ms[f.name] ?? f.periodicIntervalMs;
  }

  private scheduleNext(f: Fingerprinter): void {
    const ms = this.intervalOf(f);
    if (ms === null || !this.running) return;
    // The next run is scheduled after this one finished, so a slow source never piles up.
    this.cancels.set(
      f.name,
      this.scheduler.schedule(ms, () => {
        void this.tick(f);
      }),
    );
  }

  private async tick(f: Fingerprinter): Promise<void> {
    if (!this.running) return;
    await this.runOne(f, this.context());
    if (!this.running) return;
    this.publish(f.name);
    this.scheduleNext(f);
  }

  private runOne(f: Fingerprinter, ctx: FingerprintContext): Promise<void> {
    const running = this.inFlight.get(f.name);
    if (running !== undefined) return running;
    const run = this.runOnce(f, ctx).finally(() => this.inFlight.delete(f.name));
    this.inFlight.set(f.name, run);
    return run;
  }

  private async runOnce(f: Fingerprinter, ctx: FingerprintContext): Promise<void> {
    const prev = this.entries.get(f.name);
    if (this.hung.has(f.name)) {
      // Bounded: a source that never answers gets one outstanding call, not one per interval.
      this.entries.set(f.name, {
        result: prev?.result,
        status: {
          state: "degraded",
          reason: prev?.status.reason ?? "previous call still pending",
          lastRunMs: this.scheduler.nowMs(),
        },
      });
      return;
    }
    try {
      const result = await this.withTimeout(f, ctx);
      this.entries.set(f.name, {
        result,
        status: {
          state: result.detected ? "ok" : "undetected",
          ...(result.detected || result.reason === undefined ? {} : { reason: result.reason }),
          lastRunMs: this.scheduler.nowMs(),
        },
      });
      this.updateDrivers(result);
    } catch (err) {
      this.entries.set(f.name, {
        result: prev?.result,
        status: { state: "degraded", reason: messageOf(err), lastRunMs: this.scheduler.nowMs() },
      });
      this.degradeDrivers(f, messageOf(err));
    }
  }

  private withTimeout(f: Fingerprinter, ctx: FingerprintContext): Promise<FingerprintResult> {
    const ms = this.config.fingerprint_timeout_ms;
    return new Promise<FingerprintResult>((resolve, reject) => {
      let settled = false;
      const cancel = this.scheduler.schedule(ms, () => {
        if (settled) return;
        settled = true;
        this.hung.add(f.name);
        reject(new FingerprintTimeoutError(f.name, ms));
      });
      // A fingerprinter that throws synchronously is caught here too.
      const call = Promise.resolve().then(() => f.fingerprint(ctx));
      // Whenever the call finally settles, the source may be asked again.
      call.then(
        () => this.hung.delete(f.name),
        () => this.hung.delete(f.name),
      );
      call.then(
        (r) => {
          if (settled) return;
          settled = true;
          cancel();
          resolve(r);
        },
        (e: unknown) => {
          if (settled) return;
          settled = true;
          cancel();
          reject(e instanceof Error ? e : new Error(String(e)));
        },
      );
    });
  }

  private updateDrivers(result: FingerprintResult): void {
    for (const [name, fp] of Object.entries(result.drivers ?? {})) {
      this.setDriver(name, {
        Attributes: { ...fp.attributes },
        Detected: fp.health !== "undetected",
        Healthy: fp.health === "healthy",
        HealthDescription: fp.healthDescription,
      });
    }
  }

  private degradeDrivers(f: Fingerprinter, reason: string): void {
    // A driver whose detector fails cannot be trusted to run tasks: unhealthy, as Nomad
    // marks a driver plugin whose fingerprint stream broke.
    const prefix = "driver.";
    if (!f.name.startsWith(prefix)) return;
    const name = f.name.slice(prefix.length);
    const prev = this.drivers[name];
    this.setDriver(name, {
      Attributes: prev?.Attributes ?? {},
      Detected: prev?.Detected ?? false,
      Healthy: false,
      HealthDescription: `fingerprint failed: ${reason}`,
    });
  }

  private setDriver(name: string, info: Omit<DriverInfo, "UpdateTime">): void {
    const prev = this.drivers[name];
    const same =
      prev !== undefined &&
      prev.Detected === info.Detected &&
      prev.Healthy === info.Healthy &&
      prev.HealthDescription === info.HealthDescription &&
      JSON.stringify(prev.Attributes) === JSON.stringify(info.Attributes);
    if (same) return;
    this.drivers[name] = { ...info, UpdateTime: new Date(this.scheduler.nowMs()).toISOString() };
  }

  private build(): HostFingerprint {
    return assemble(this.entries, this.drivers, this.config);
  }

  private publish(source: string): void {
    const previous = this.snapshot;
    const current = this.build();
    if (previous === undefined) {
      this.snapshot = current;
      return;
    }
    const diff = diffFingerprints(previous, current);
    // Run times move on every refresh; without a real change the old snapshot stays, so
    // callers comparing by identity see no change either.
    if (!hasChanges(diff)) return;
    this.snapshot = current;
    for (const listener of [...this.listeners]) {
      try {
        listener({ previous, current, diff, source });
      } catch {
        this.listenerErrors++;
      }
    }
  }
}
