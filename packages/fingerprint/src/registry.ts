// The set of fingerprinters a node runs, by name, in a stable order (the order decides
// nothing about values: each attribute has exactly one owner). Filtering follows Nomad's
// client options fingerprint.allowlist/denylist and driver.allowlist/denylist.

import type { Fingerprinter } from "./types.js";
import type { FingerprintConfig } from "./config.js";
import { archFingerprinter } from "./fingerprinters/arch.js";
import { cgroupFingerprinter } from "./fingerprinters/cgroup.js";
import { createCpuFingerprinter } from "./fingerprinters/cpu.js";
import { hostFingerprinter } from "./fingerprinters/host.js";
import { createMemoryFingerprinter } from "./fingerprinters/memory.js";
import { networkFingerprinter } from "./fingerprinters/network.js";
import { nodeIdFingerprinter } from "./fingerprinters/node-id.js";
import { nomadFingerprinter } from "./fingerprinters/nomad.js";
import { storageFingerprinter } from "./fingerprinters/storage.js";
import { driverFingerprinter, type DriverDetector } from "./drivers/detector.js";
import { execDetector } from "./drivers/exec.js";
import { createMockDriverDetector } from "./drivers/mock.js";
import { rawExecDetector } from "./drivers/raw-exec.js";

export class DuplicateFingerprinterError extends Error {
  readonly code = "DUPLICATE_FINGERPRINTER" as const;
  constructor(name: string) {
    super(`fingerprinter "${name}" is already registered`);
    this.name = "DuplicateFingerprinterError";
  }
}

const DRIVER_PREFIX = "driver.";
// The node's identity is not an optional fact: filtering it out would leave no node ID.
const UNFILTERED = new Set(["node_id"]);

export class FingerprinterRegistry {
  private readonly byName = new Map<string, Fingerprinter>();

  register(f: Fingerprinter): this {
    if (this.byName.has(f.name)) throw new DuplicateFingerprinterError(f.name);
    this.byName.set(f.name, f);
    return this;
  }

  registerDriver(detector: DriverDetector): this {
    return this.register(driverFingerprinter(detector));
  }

  /** Replaces (or adds) a fingerprinter of the same name, e.g. a failing one in a test. */
  replace(f: Fingerprinter): this {
    this.byName.set(f.name, f);
    return this;
  }

  get(name: string): Fingerprinter | undefined {
    return this.byName.get(name);
  }

  list(): Fingerprinter[] {
    return [...this.byName.values()];
  }

  /** The fingerprinters this config lets run. */
  select(config: FingerprintConfig): Fingerprinter[] {
    return this.list().filter((f) => {
      if (UNFILTERED.has(f.name)) return true;
      if (f.name.startsWith(DRIVER_PREFIX)) {
        return allowed(f.name.slice(DRIVER_PREFIX.length), config.driver_allowlist, config.driver_denylist);
      }
      return allowed(f.name, config.fingerprint_allowlist, config.fingerprint_denylist);
    });
  }
}

function allowed(name: string, allow: string[], deny: string[]): boolean {
  if (deny.includes(name)) return false;
  return allow.length === 0 || allow.includes(name);
}

/**
 * The built-in driver detectors: raw_exec and exec, plus Nomad's test driver mock_driver
 * when the config enables it (release builds of Nomad do not ship it at all).
 */
export function builtinDriverDetectors(config?: FingerprintConfig): DriverDetector[] {
  const detectors: DriverDetector[] = [rawExecDetector, execDetector];
  if (config?.drivers.mock_driver.enabled === true) detectors.push(createMockDriverDetector());
  return detectors;
}

/** Every built-in fingerprinter plus the given driver detectors (default: the built-ins). */
export function createDefaultRegistry(
  detectors: DriverDetector[] = builtinDriverDetectors(),
): FingerprinterRegistry {
  const registry = new FingerprinterRegistry()
    .register(nodeIdFingerprinter)
    .register(archFingerprinter)
    .register(cgroupFingerprinter)
    .register(createCpuFingerprinter())
    .register(hostFingerprinter)
    .register(createMemoryFingerprinter())
    .register(networkFingerprinter)
    .register(nomadFingerprinter)
    .register(storageFingerprinter);
  for (const d of detectors) registry.registerDriver(d);
  return registry;
}
