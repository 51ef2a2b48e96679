// The real allocation runner and drivers behind the client's factory seam: raw_exec (on
// only when enabled, or in -dev), exec (on wherever detected), mock_driver (tests only).
// The same driver objects feed the node's fingerprint, so Node.Drivers says what the
// runners can actually start.

import { AllocRunner } from "../allocrunner/index.js";
import { DriverRegistry, ExecDriver, MockDriver, RawExecDriver } from "../drivers/index.js";
import type { ClientConfig } from "../config.js";
import type { Logger } from "../logger.js";
import type { AllocRunnerFactory } from "./runner-seam.js";

export function createClientDrivers(config: ClientConfig, logger: Logger): DriverRegistry {
  const drivers = new DriverRegistry([
    new RawExecDriver({ enabled: config.rawExecEnabled, logger: logger.named("driver.raw_exec") }),
    new ExecDriver({ enabled: config.execEnabled, logger: logger.named("driver.exec") }),
  ]);
  if (config.mockDriverEnabled) drivers.register(new MockDriver({ enabled: true }));
  return drivers;
}

export function createAllocRunnerFactory(drivers: DriverRegistry): AllocRunnerFactory {
  return (deps) =>
    new AllocRunner({
      alloc: deps.alloc,
      allocDir: deps.allocDir,
      drivers,
      state: deps.state,
      node: deps.node,
      region: deps.region,
      logger: deps.logger.named("alloc_runner"),
      onUpdate: deps.onUpdate,
      clock: deps.clock,
      maxKillTimeoutMs: deps.config.maxKillTimeoutMs,
    });
}
