// Vivaldi network coordinates with Serf's semantics (its `coordinate` package): a point in
// an 8-dimension Euclidean space plus a non-Euclidean height (the access link), an error
// estimate (confidence) and an adjustment term (mean residual over a window of samples).
// Each direct probe's RTT, filtered by a per-node median of the last 3, moves our point
// toward or away from the peer's; a weak gravity pulls it back toward the origin so the
// whole system does not drift. Units are seconds, as on the wire. Randomness (only to pick
// a direction when two points coincide) comes from an injected Random, so runs replay.
import { WireError } from "../wire/errors.js";
import { decodeGo, encodeGo, F64, type GoMap, type GoValue } from "../wire/msgpack.js";
import type { Random } from "./prng.js";

export interface Coordinate {
  /** Euclidean part, seconds. */
  readonly vec: readonly number[];
  /** Confidence, dimensionless (starts at the maximum, 1.5). */
  readonly error: number;
  /** Offset added to distances, seconds (mean of half the recent residuals). */
  readonly adjustment: number;
  /** Non-Euclidean access-link term, seconds (at least heightMin). */
  readonly height: number;
}

/** Serf's coordinate.DefaultConfig (what a Serf agent runs with). */
export interface CoordinateConfig {
  readonly dimensionality: number;
  readonly vivaldiErrorMax: number;
  /** How much one observation may move our error estimate. */
  readonly vivaldiCE: number;
  /** How much one observation may move our coordinate. */
  readonly vivaldiCC: number;
  /** Samples averaged into the adjustment term (0 = off). */
  readonly adjustmentWindowSize: number;
  readonly heightMin: number;
  /** RTT samples per peer whose median is used (filters outliers). */
  readonly latencyFilterSize: number;
  /** Gravity's scale: a point this far (s) from the origin is pulled back by its distance squared over rho². */
  readonly gravityRho: number;
}

export const DEFAULT_COORDINATE_CONFIG: CoordinateConfig = {
  dimensionality: 8,
  vivaldiErrorMax: 1.5,
  vivaldiCE: 0.25,
  vivaldiCC: 0.25,
  adjustmentWindowSize: 20,
  heightMin: 10.0e-6,
  latencyFilterSize: 3,
  gravityRho: 150.0,
};

/** Serf's ping payload version byte (before the msgpack coordinate). */
export const PING_VERSION = 1;
/** Below this two points coincide (and a distance is treated as zero). */
const ZERO_THRESHOLD = 1.0e-6;
/** Serf refuses RTTs outside [0, 10 s]. */
const MAX_RTT_SECONDS = 10;

export function newCoordinate(cfg: CoordinateConfig = DEFAULT_COORDINATE_CONFIG): Coordinate {
  return {
    vec: new Array<number>(cfg.dimensionality).fill(0),
    error: cfg.vivaldiErrorMax,
    adjustment: 0,
    height: cfg.heightMin,
  };
}

const finite = (x: number) => Number.isFinite(x);

export function isValidCoordinate(c: Coordinate): boolean {
  return c.vec.every(finite) && finite(c.error) && finite(c.adjustment) && finite(c.height);
}

function magnitude(v: readonly number[]): number {
  let s = 0;
  for (const x of v) s += x * x;
  return Math.sqrt(s);
}

/** Distance without the adjustment terms, seconds. */
export function rawDistanceS(a: Coordinate, b: Coordinate): number {
  let s = 0;
  for (let i = 0; i < a.vec.length; i++) {
    const d = (a.vec[i] ?? 0) - (b.vec[i] ?? 0);
    s += d * d;
  }
  return Math.sqrt(s) + a.height + b.height;
}

/** Estimated RTT between two coordinates, seconds: adjusted unless that would go to zero or below. */
export function distanceS(a: Coordinate, b: Coordinate): number {
  if (a.vec.length !== b.vec.length) throw new RangeError("coordinate dimensionality does not match");
  const raw = rawDistanceS(a, b);
  const adjusted = raw + a.adjustment + b.adjustment;
  return adjusted > 0 ? adjusted : raw;
}

/** Unit vector from `to` toward `from`, and their distance (0 with a random direction when they coincide). */
function unitVectorAt(rng: Random, from: readonly number[], to: readonly number[]): [number[], number] {
  const d = from.map((x, i) => x - (to[i] ?? 0));
  const mag = magnitude(d);
  if (mag > ZERO_THRESHOLD) return [d.map((x) => x / mag), mag];
  const r = d.map(() => rng.next() - 0.5);
  const rmag = magnitude(r);
  if (rmag > ZERO_THRESHOLD) return [r.map((x) => x / rmag), 0];
  const unit = d.map(() => 0);
  unit[0] = 1;
  return [unit, 0];
}

/** `c` pushed by `force` seconds away from `other` (toward it when negative); height follows. */
export function applyForce(
  cfg: CoordinateConfig,
  rng: Random,
  c: Coordinate,
  force: number,
  other: Coordinate,
): Coordinate {
  if (c.vec.length !== other.vec.length) throw new RangeError("coordinate dimensionality does not match");
  const [unit, mag] = unitVectorAt(rng, c.vec, other.vec);
  let height = c.height;
  if (mag > ZERO_THRESHOLD)
    height = Math.max(((c.height + other.height) * force) / mag + c.height, cfg.heightMin);
  return {
    vec: c.vec.map((x, i) => x + (unit[i] ?? 0) * force),
    error: c.error,
    adjustment: c.adjustment,
    height,
  };
}

/** One node's Vivaldi state (Serf's coordinate.Client). */
export class CoordinateClient {
  private coord: Coordinate;
  private readonly origin: Coordinate;
  private readonly adjustmentSamples: number[];
  private adjustmentIndex = 0;
  private readonly latencySamples = new Map<string, number[]>();
  /** Times an update produced an invalid coordinate and we started over. */
  resets = 0;

  constructor(
    private readonly rng: Random,
    private readonly cfg: CoordinateConfig = DEFAULT_COORDINATE_CONFIG,
  ) {
    if (cfg.dimensionality < 1) throw new RangeError("dimensionality must be > 0");
    this.coord = newCoordinate(cfg);
    this.origin = newCoordinate(cfg);
    this.adjustmentSamples = new Array<number>(cfg.adjustmentWindowSize).fill(0);
  }

  get coordinate(): Coordinate {
    return this.coord;
  }

  /** Replaces our coordinate (Serf's SetCoordinate, e.g. restored from a snapshot). */
  setCoordinate(c: Coordinate): void {
    if (c.vec.length !== this.coord.vec.length) throw new RangeError("dimensions aren't compatible");
    if (!isValidCoordinate(c)) throw new RangeError("coordinate is invalid");
    this.coord = { vec: [...c.vec], error: c.error, adjustment: c.adjustment, height: c.height };
  }

  /** Drops a peer's latency samples (it left or was reaped). */
  forget(node: string): void {
    this.latencySamples.delete(node);
  }

  /**
   * Feeds one RTT observation to `node` whose coordinate is `other`; returns our new
   * coordinate. Throws RangeError for an incompatible or invalid coordinate or an RTT
   * outside [0, 10 s] (Serf rejects those the same way and keeps its coordinate).
   */
  update(node: string, other: Coordinate, rttMs: number): Coordinate {
    if (other.vec.length !== this.coord.vec.length) throw new RangeError("dimensions aren't compatible");
    if (!isValidCoordinate(other)) throw new RangeError("coordinate is invalid");
    const rttS = rttMs / 1000;
    if (!(rttS >= 0 && rttS <= MAX_RTT_SECONDS))
      throw new RangeError(`round trip time ${rttMs} ms out of range`);
    const filtered = this.latencyFilter(node, rttS);
    this.updateVivaldi(other, filtered);
    this.updateAdjustment(other, filtered);
    this.updateGravity();
    if (!isValidCoordinate(this.coord)) {
      this.resets++;
      this.coord = newCoordinate(this.cfg);
    }
    return this.coord;
  }

  /** Estimated RTT to `other`, ms. */
  distanceToMs(other: Coordinate): number {
    return distanceS(this.coord, other) * 1000;
  }

  /** Median of the last latencyFilterSize samples for `node`. */
  private latencyFilter(node: string, rttS: number): number {
    const samples = this.latencySamples.get(node) ?? [];
    samples.push(rttS);
    if (samples.length > this.cfg.latencyFilterSize) samples.shift();
    this.latencySamples.set(node, samples);
    const sorted = [...samples].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)] as number;
  }

  private updateVivaldi(other: Coordinate, rttS: number): void {
    const rtt = Math.max(rttS, ZERO_THRESHOLD);
    const dist = distanceS(this.coord, other);
    const wrongness = Math.abs(dist - rtt) / rtt;
    const totalError = Math.max(this.coord.error + other.error, ZERO_THRESHOLD);
    const weight = this.coord.error / totalError;
    const ce = this.cfg.vivaldiCE * weight;
    const error = Math.min(ce * wrongness + this.coord.error * (1 - ce), this.cfg.vivaldiErrorMax);
    const force = this.cfg.vivaldiCC * weight * (rtt - dist);
    this.coord = applyForce(this.cfg, this.rng, { ...this.coord, error }, force, other);
  }

  private updateAdjustment(other: Coordinate, rttS: number): void {
    const w = this.cfg.adjustmentWindowSize;
    if (w === 0) return;
    // raw distance: the current adjustment terms must not feed back into themselves
    this.adjustmentSamples[this.adjustmentIndex] = rttS - rawDistanceS(this.coord, other);
    this.adjustmentIndex = (this.adjustmentIndex + 1) % w;
    let sum = 0;
    for (const s of this.adjustmentSamples) sum += s;
    this.coord = { ...this.coord, adjustment: sum / (2 * w) };
  }

  private updateGravity(): void {
    const dist = distanceS(this.origin, this.coord);
    const force = -1 * (dist / this.cfg.gravityRho) ** 2;
    this.coord = applyForce(this.cfg, this.rng, this.coord, force, this.origin);
  }
}

/** Serf's ack payload: the version byte, then the coordinate as a Go struct. */
export function encodeCoordinatePayload(c: Coordinate): Uint8Array {
  const body = encodeGo({
    Adjustment: new F64(c.adjustment),
    Error: new F64(c.error),
    Height: new F64(c.height),
    Vec: c.vec.map((x) => new F64(x)),
  });
  const out = new Uint8Array(body.length + 1);
  out[0] = PING_VERSION;
  out.set(body, 1);
  return out;
}

function num(m: GoMap, key: string): number {
  const v: GoValue | undefined = m.get(key);
  if (v === undefined || v === null) return 0; // Go leaves a missing field at zero
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  throw new WireError("BAD_FIELD", `coordinate ${key}: not a number`);
}

/** Decodes an ack payload; null when it is empty (Go sends none without Serf). Throws WireError. */
export function decodeCoordinatePayload(payload: Uint8Array | null): Coordinate | null {
  if (payload === null || payload.length === 0) return null;
  if (payload[0] !== PING_VERSION) throw new WireError("MALFORMED", `unsupported ping version ${payload[0]}`);
  const { value } = decodeGo(payload, 1);
  if (!(value instanceof Map)) throw new WireError("MALFORMED", "coordinate: not a struct");
  const vec = value.get("Vec");
  if (vec !== undefined && vec !== null && !Array.isArray(vec))
    throw new WireError("BAD_FIELD", "coordinate Vec: not an array");
  const v = (vec ?? []).map((x) => {
    if (typeof x === "number") return x;
    if (typeof x === "bigint") return Number(x);
    throw new WireError("BAD_FIELD", "coordinate Vec: not a number");
  });
  return {
    vec: v,
    error: num(value, "Error"),
    adjustment: num(value, "Adjustment"),
    height: num(value, "Height"),
  };
}
