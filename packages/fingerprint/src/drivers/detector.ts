// A task driver's fingerprint, as Nomad's driver plugins stream it: a health state, a
// description and the driver's own `driver.<name>.*` attributes. Detectors are pluggable:
// the client registers one per driver it ships, and each refreshes on its own interval.

import type { DriverFingerprint, FingerprintContext, Fingerprinter } from "../types.js";

export interface DriverDetector {
  /** The driver's name as jobs spell it (`driver = "raw_exec"`). */
  readonly name: string;
  /** How often the driver re-fingerprints (Nomad: 30 s; mock_driver 0.5 s). */
  readonly intervalMs: number;
  detect(ctx: FingerprintContext): Promise<DriverFingerprint>;
}

/** Nomad's description of a healthy driver. */
export const DRIVER_HEALTHY = "Healthy";

/** Wraps a detector as a periodic fingerprinter named `driver.<name>`. */
export function driverFingerprinter(detector: DriverDetector): Fingerprinter {
  return {
    name: `driver.${detector.name}`,
    periodicIntervalMs: detector.intervalMs,
    async fingerprint(ctx) {
      const fp = await detector.detect(ctx);
      return { detected: true, attributes: {}, drivers: { [detector.name]: fp } };
    },
  };
}
