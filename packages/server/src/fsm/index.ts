// Public surface of the server's FSM.
export { NomadFsm, type FsmResult, type NomadFsmStats } from "./nomad-fsm.js";
export { FsmEvents, type FsmEvent, type FsmEventListener } from "./events.js";
export { applyCommand } from "./apply-command.js";
export * from "./commands.js";
