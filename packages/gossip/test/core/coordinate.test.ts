// Vivaldi coordinates (Serf's coordinate package semantics): the arithmetic, the input
// checks, the ack payload against acks captured from real serf agents, and coordinates
// learned from probe RTTs in a simulated cluster.
import { describe, expect, it } from "vitest";
import {
  CoordinateClient,
  DEFAULT_COORDINATE_CONFIG,
  applyForce,
  decodeCoordinatePayload,
  distanceS,
  encodeCoordinatePayload,
  newCoordinate,
  type Coordinate,
} from "../../src/core/coordinate.js";
import { SeededRandom } from "../../src/core/prng.js";
import { SimCluster } from "../../src/testing/sim.js";
import { decodePacket } from "../../src/wire/packet.js";
import { loadCapture } from "../wire/fixtures.js";

const cfg = DEFAULT_COORDINATE_CONFIG;

describe("Vivaldi coordinate", () => {
  it("starts at the origin in 8 dimensions with error 1.5 and height 10 µs (Serf's defaults)", () => {
    const c = newCoordinate();
    expect(c.vec).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect([c.error, c.adjustment, c.height]).toEqual([1.5, 0, 10e-6]);
    // two fresh nodes are their two heights apart
    expect(distanceS(c, newCoordinate())).toBeCloseTo(20e-6, 12);
  });

  it("a force moves the point along the line between the two and raises the height", () => {
    const rng = new SeededRandom(1);
    const a: Coordinate = { ...newCoordinate(), vec: [0.01, 0, 0, 0, 0, 0, 0, 0] };
    const b = newCoordinate();
    const pushed = applyForce(cfg, rng, a, 0.005, b);
    expect(pushed.vec[0]).toBeCloseTo(0.015, 12);
    expect(pushed.vec.slice(1).every((x) => x === 0)).toBe(true);
    expect(pushed.height).toBeGreaterThan(a.height);
    // pulled toward: the height never drops under heightMin
    expect(applyForce(cfg, rng, a, -0.005, b).height).toBe(cfg.heightMin);
    // coincident points get a random unit direction (seeded)
    const apart = applyForce(cfg, rng, newCoordinate(), 0.001, newCoordinate());
    expect(Math.hypot(...apart.vec)).toBeCloseTo(0.001, 9);
  });

  it("peers 10 ms apart on a line learn their RTTs within 15 %", () => {
    const rng = new SeededRandom(7);
    const n = 8;
    const clients = Array.from({ length: n }, () => new CoordinateClient(rng));
    const rtt = (i: number, j: number) => 10 * Math.abs(i - j) + 1; // ms, 1 ms of access link
    for (let round = 0; round < 2000; round++) {
      for (let i = 0; i < n; i++) {
        const j = (i + 1 + Math.floor(rng.next() * (n - 1))) % n;
        (clients[i] as CoordinateClient).update(
          `n${j}`,
          (clients[j] as CoordinateClient).coordinate,
          rtt(i, j),
        );
      }
    }
    let worst = 0;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        if (i === j) continue;
        const est = (clients[i] as CoordinateClient).distanceToMs(
          (clients[j] as CoordinateClient).coordinate,
        );
        worst = Math.max(worst, Math.abs(est - rtt(i, j)) / rtt(i, j));
      }
    expect(worst).toBeLessThan(0.15);
    // confidence improved from the 1.5 start
    for (const c of clients) expect(c.coordinate.error).toBeLessThan(0.5);
  });

  it("the latency filter (median of 3) ignores a single spike", () => {
    const steady = new CoordinateClient(new SeededRandom(3));
    const spiked = new CoordinateClient(new SeededRandom(3));
    const other = newCoordinate();
    for (const r of [5, 5, 5, 5]) steady.update("p", other, r);
    for (const r of [5, 5, 900, 5]) spiked.update("p", other, r);
    // the spike's sample was the median of [5, 5, 900] = 5: both clients saw the same inputs
    expect(spiked.coordinate).toEqual(steady.coordinate);
  });

  it("gravity pulls a far-away coordinate back toward the origin by (distance / rho)²", () => {
    const far: Coordinate = { ...newCoordinate(), vec: [100, 0, 0, 0, 0, 0, 0, 0], error: 0.2 };
    // a peer 5 ms further out, measured at exactly that: Vivaldi's own force is ~0
    const peer: Coordinate = { ...far, vec: [100.005, 0, 0, 0, 0, 0, 0, 0] };
    const rttMs = distanceS(far, peer) * 1000;
    const withGravity = new CoordinateClient(new SeededRandom(4));
    const without = new CoordinateClient(new SeededRandom(4), { ...cfg, gravityRho: 1e12 });
    withGravity.setCoordinate(far);
    without.setCoordinate(far);
    withGravity.update("p", peer, rttMs);
    without.update("p", peer, rttMs);
    expect(without.coordinate.vec[0]).toBeCloseTo(100, 3);
    // pulled (100 / 150)² ≈ 0.44 s toward the origin
    expect(withGravity.coordinate.vec[0]).toBeCloseTo(100 - (100 / 150) ** 2, 2);
  });

  it("refuses bad input like Serf and keeps its coordinate: wrong dimension, NaN, RTT outside 0..10 s", () => {
    const c = new CoordinateClient(new SeededRandom(6));
    const before = c.coordinate;
    expect(() => c.update("x", { ...newCoordinate(), vec: [0, 0, 0, 0] }, 5)).toThrow(/dimensions/);
    expect(() => c.update("x", { ...newCoordinate(), height: Number.NaN }, 5)).toThrow(/invalid/);
    expect(() => c.update("x", newCoordinate(), 10_001)).toThrow(/out of range/);
    expect(() => c.update("x", newCoordinate(), -1)).toThrow(/out of range/);
    expect(c.coordinate).toBe(before);
  });
});

describe("coordinate in ack payloads", () => {
  it("acks captured from real serf decode to valid 8-dimension coordinates and re-encode byte for byte", () => {
    const payloads: Uint8Array[] = [];
    for (const p of loadCapture("serf-plain", "udp"))
      for (const m of decodePacket(p.bytes).messages)
        if (m.type === "ackResp" && m.payload !== null && m.payload.length > 0) payloads.push(m.payload);
    expect(payloads.length).toBeGreaterThan(0);
    for (const p of payloads) {
      const c = decodeCoordinatePayload(p) as Coordinate;
      expect(c.vec).toHaveLength(8);
      expect(c.error).toBeGreaterThan(0);
      expect(c.height).toBeGreaterThanOrEqual(cfg.heightMin);
      expect(Buffer.from(encodeCoordinatePayload(c)).toString("hex")).toBe(Buffer.from(p).toString("hex"));
    }
  });

  it("an empty payload is no coordinate; a wrong version or garbage is a WireError", () => {
    expect(decodeCoordinatePayload(null)).toBeNull();
    expect(decodeCoordinatePayload(new Uint8Array(0))).toBeNull();
    expect(() => decodeCoordinatePayload(Uint8Array.of(2, 0x80))).toThrow(/ping version/);
    expect(() => decodeCoordinatePayload(Uint8Array.of(1, 0xc1))).toThrow();
    expect(() => decodeCoordinatePayload(Uint8Array.of(1, 0x81, 0xa3, 0x56, 0x65, 0x63, 0x01))).toThrow(
      /Vec/,
    );
  });

  it("simulated Serf members learn coordinates from probe RTTs (1-5 ms links) and estimate each other", () => {
    const sim = new SimCluster({ seed: 21, minDelayMs: 1, maxDelayMs: 5 });
    const names = Array.from({ length: 6 }, (_, i) => `s${i}`);
    const serfs = names.map((n) => sim.addSerf(n));
    for (const n of names.slice(1)) sim.join(n, ["s0"]);
    sim.run(60_000);
    for (const [i, s] of serfs.entries()) {
      expect(s.coordinate().error).toBeLessThan(1.5); // moved off the starting confidence
      for (const other of names) {
        if (other === names[i]) continue;
        expect(s.memberCoordinate(other), `${names[i]} -> ${other}`).toBeDefined();
        const est = s.estimatedRttMs(other) as number;
        // a round trip is two 1-5 ms legs: estimates land in that range, give or take
        expect(est).toBeGreaterThan(0.5);
        expect(est).toBeLessThan(15);
      }
    }
    expect(serfs.every((s) => s.stats.coordinatesRejected === 0)).toBe(true);
  });
});
