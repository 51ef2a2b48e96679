// The drivers a client ships, by name. The fingerprint manager sees them through
// `detectors()` (the @nomad/fingerprint DriverDetector shape), the runners through `get`.

import type { DriverDetector } from "@nomad/fingerprint";
import type { DriverFingerprint, TaskDriver } from "./types.js";

/** Nomad re-fingerprints drivers every 30 s, mock_driver every 0.5 s. */
export const DRIVER_FINGERPRINT_INTERVAL_MS = 30_000;
export const MOCK_DRIVER_FINGERPRINT_INTERVAL_MS = 500;

export class DriverRegistry {
  private readonly drivers = new Map<string, TaskDriver>();

  constructor(drivers: readonly TaskDriver[] = []) {
    for (const d of drivers) this.register(d);
  }

  register(driver: TaskDriver): void {
    if (this.drivers.has(driver.name))
      throw new Error(`driver ${JSON.stringify(driver.name)} is already registered`);
    this.drivers.set(driver.name, driver);
  }

  get(name: string): TaskDriver | undefined {
    return this.drivers.get(name);
  }

  names(): string[] {
    return [...this.drivers.keys()].sort();
  }

  fingerprints(): Record<string, DriverFingerprint> {
    const out: Record<string, DriverFingerprint> = {};
    for (const [name, d] of this.drivers) out[name] = d.fingerprint();
    return out;
  }

  /** Each driver as a @nomad/fingerprint detector (its `driverFingerprinter` wraps it). */
  detectors(): DriverDetector[] {
    return [...this.drivers.values()].map((d) => driverDetector(d));
  }
}

export function driverDetector(driver: TaskDriver): DriverDetector {
  return {
    name: driver.name,
    intervalMs:
      driver.name === "mock_driver" ? MOCK_DRIVER_FINGERPRINT_INTERVAL_MS : DRIVER_FINGERPRINT_INTERVAL_MS,
    detect: async () => driver.fingerprint(),
  };
}
