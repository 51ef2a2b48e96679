// cpu.arch, with Go's GOARCH names (amd64, arm64, 386 ...) so that constraints written for
// Nomad (`${attr.cpu.arch} = "amd64"`) match.

import type { Fingerprinter } from "../types.js";

const GOARCH: Record<string, string> = {
  x64: "amd64",
  ia32: "386",
  arm: "arm",
  arm64: "arm64",
  loong64: "loong64",
  mips: "mips",
  mipsel: "mipsle",
  ppc64: "ppc64le",
  riscv64: "riscv64",
  s390x: "s390x",
};

export function goArch(nodeArch: string): string {
  return GOARCH[nodeArch] ?? nodeArch;
}

export const archFingerprinter: Fingerprinter = {
  name: "arch",
  periodicIntervalMs: null,
  async fingerprint({ probe }) {
    return { detected: true, attributes: { "cpu.arch": goArch(probe.uname().nodeArch) } };
  },
};
