// The deps with their defaults resolved, handed to every endpoint.
import { randomUUID } from "node:crypto";
import type { EndpointDeps } from "./deps.js";

export interface EndpointContext {
  readonly deps: EndpointDeps;
  nowMs(): number;
  nowNs(): number;
  newID(): string;
  random(): number;
}

export function endpointContext(deps: EndpointDeps): EndpointContext {
  const clock = deps.clock;
  return {
    deps,
    nowMs: clock === undefined ? () => Date.now() : () => clock.nowMs(),
    nowNs: clock === undefined ? () => Date.now() * 1_000_000 : () => clock.nowNs(),
    newID: deps.newID === undefined ? () => randomUUID() : () => (deps.newID as () => string).call(deps),
    random: deps.random === undefined ? Math.random : () => (deps.random as () => number).call(deps),
  };
}
