// One-shot fingerprint: every fingerprinter once, no periodic refresh left running.

import type { HostFingerprint } from "./types.js";
import { FingerprintManager, type FingerprintManagerOptions } from "./manager/fingerprint-manager.js";

export async function fingerprintHost(options: FingerprintManagerOptions = {}): Promise<HostFingerprint> {
  const manager = new FingerprintManager(options);
  try {
    return await manager.start();
  } finally {
    manager.stop();
  }
}
