import { fileURLToPath } from "node:url";
import { loadFixtureProbe, type MemoryHostProbe } from "@nomad/fingerprint/testing";
import {
  parseFingerprintConfig,
  type FingerprintConfig,
  type FingerprintConfigInput,
} from "@nomad/fingerprint";
import type { FingerprintContext } from "@nomad/fingerprint";

export const FIXTURES = {
  vmCgroupV1Hybrid: "vm-2cpu-cgroup-v1-hybrid",
  containerV2Limited: "container-8cpu-cgroup-v2-limited",
  containerV1Limited: "container-16cpu-cgroup-v1-limited",
  arm64NoNetwork: "arm64-sandbox-no-network-no-cgroups",
} as const;

export function fixtureDir(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
}

export function fixture(name: string): MemoryHostProbe {
  return loadFixtureProbe(fixtureDir(name));
}

export function config(input: FingerprintConfigInput = {}): FingerprintConfig {
  return parseFingerprintConfig(input);
}

export function ctx(probe: MemoryHostProbe, input: FingerprintConfigInput = {}): FingerprintContext {
  return { probe, config: config(input) };
}
