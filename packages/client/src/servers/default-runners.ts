// The real allocation runner behind the client's factory seam. Placeholder until
// client-runners' AllocRunner lands (packages/client/src/index-runners.ts).

import type { AllocRunnerFactory } from "./runner-seam.js";

export function createDefaultRunnerFactory(): AllocRunnerFactory {
  return () => {
    throw new Error("no allocation runner available: pass `runners` to NomadClient.start");
  };
}
