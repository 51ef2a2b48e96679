// mock_driver: Nomad's test driver (that is its name in Nomad, `driver = "mock_driver"`).
// Healthy when enabled; its health can be scripted so tests can watch the node react to a
// driver turning unhealthy. Fingerprints every 0.5 s, as Nomad's does.

import { DRIVER_HEALTHY, type DriverDetector } from "./detector.js";
import type { DriverFingerprint } from "../types.js";

export interface MockDriverDetector extends DriverDetector {
  /** Overrides what the next fingerprints report; undefined returns to the default. */
  script(fp: DriverFingerprint | undefined): void;
}

export function createMockDriverDetector(intervalMs = 500): MockDriverDetector {
  let scripted: DriverFingerprint | undefined;
  return {
    name: "mock_driver",
    intervalMs,
    script(fp) {
      scripted = fp;
    },
    async detect({ config }) {
      if (!config.drivers.mock_driver.enabled) {
        return { health: "undetected", healthDescription: "disabled", attributes: {} };
      }
      return (
        scripted ?? {
          health: "healthy",
          healthDescription: DRIVER_HEALTHY,
          attributes: { "driver.mock_driver": "true" },
        }
      );
    },
  };
}
