// Task lifecycle roles (the task's `lifecycle { hook, sidecar }` block) and the order Nomad
// runs them in: prestart tasks first (ephemeral ones must finish successfully, sidecars must
// have started), then the main tasks, poststart tasks once every main task has started,
// poststop tasks once every other task is dead. Sidecars are killed when the main tasks die.

import type { Task, TaskState } from "@nomad/structs";

export type LifecycleRole =
  "main" | "prestart" | "prestart-sidecar" | "poststart" | "poststart-sidecar" | "poststop";

export function lifecycleRole(task: Task): LifecycleRole {
  const lc = (task as Task & { Lifecycle?: { Hook?: string | null; Sidecar?: boolean | null } | null })
    .Lifecycle;
  const hook = lc?.Hook ?? "";
  const sidecar = lc?.Sidecar === true;
  if (hook === "prestart") return sidecar ? "prestart-sidecar" : "prestart";
  if (hook === "poststart") return sidecar ? "poststart-sidecar" : "poststart";
  if (hook === "poststop") return "poststop";
  return "main";
}

export type Gate = "none" | "prestart-done" | "main-started" | "others-dead";

export function gateOf(role: LifecycleRole): Gate {
  if (role === "main") return "prestart-done";
  if (role === "poststart" || role === "poststart-sidecar") return "main-started";
  if (role === "poststop") return "others-dead";
  return "none";
}

const started = (s: TaskState): boolean => s.StartedAt !== "" || s.State === "dead";

/** Which gates are open for these task states. */
export function openGates(tasks: readonly { role: LifecycleRole; state: TaskState }[]): Set<Gate> {
  const open = new Set<Gate>(["none"]);
  const prestartDone = tasks.every((t) => {
    if (t.role === "prestart") return t.state.State === "dead" && !t.state.Failed;
    if (t.role === "prestart-sidecar") return started(t.state);
    return true;
  });
  if (prestartDone) open.add("prestart-done");
  const mains = tasks.filter((t) => t.role === "main");
  if (prestartDone && mains.every((t) => started(t.state))) open.add("main-started");
  if (tasks.every((t) => t.role === "poststop" || t.state.State === "dead")) open.add("others-dead");
  return open;
}

/** Every main task is dead: sidecars (and poststart tasks that have not finished) must go. */
export function mainTasksDead(tasks: readonly { role: LifecycleRole; state: TaskState }[]): boolean {
  const mains = tasks.filter((t) => t.role === "main");
  return mains.length > 0 && mains.every((t) => t.state.State === "dead");
}
