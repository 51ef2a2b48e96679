// Nomad's task event types and the display messages its client computes for them.

import type { TaskEvent } from "@nomad/structs";
import { formatDurationNs } from "@nomad/structs";

export const TaskEventType = {
  Received: "Received",
  Setup: "Task Setup",
  Started: "Started",
  Terminated: "Terminated",
  Restarting: "Restarting",
  NotRestarting: "Not Restarting",
  Killing: "Killing",
  Killed: "Killed",
  DriverFailure: "Driver Failure",
  SetupFailure: "Setup Failure",
  SiblingFailed: "Sibling Task Failed",
  LeaderDead: "Leader Task Dead",
  MainDead: "Main Tasks Dead",
  RestoreFailed: "Failed Restoring Task",
  Signaling: "Signaling",
  WaitingShutdownDelay: "Waiting for shutdown delay",
} as const;
export type TaskEventTypeName = (typeof TaskEventType)[keyof typeof TaskEventType];

export const MSG_TASK_RECEIVED = "Task received by client";
export const MSG_BUILDING_TASK_DIR = "Building Task Directory";
export const MSG_TASK_STARTED = "Task started by client";
export const MSG_TASK_KILLED = "Task successfully killed";

/** A TaskEvent with Nomad's optional fields (the structs schema keeps unknown keys). */
export type RunnerTaskEvent = TaskEvent & {
  Details: Record<string, string>;
  Signal?: number;
  KillTimeout?: number;
  RestartReason?: string;
  StartDelay?: number;
  DriverError?: string;
  SetupError?: string;
  KillReason?: string;
  FailedSibling?: string;
};

export function newEvent(
  type: TaskEventTypeName,
  timeNs: number,
  fields: Partial<RunnerTaskEvent> = {},
): RunnerTaskEvent {
  const e: RunnerTaskEvent = {
    Type: type,
    Time: timeNs,
    Message: "",
    DisplayMessage: "",
    FailsTask: false,
    ExitCode: 0,
    Details: {},
    ...fields,
  };
  e.DisplayMessage = displayMessage(e);
  return e;
}

function displayMessage(e: RunnerTaskEvent): string {
  switch (e.Type) {
    case TaskEventType.Received:
      return MSG_TASK_RECEIVED;
    case TaskEventType.Started:
      return MSG_TASK_STARTED;
    case TaskEventType.Terminated: {
      const parts = [`Exit Code: ${e.ExitCode}`];
      if ((e.Signal ?? 0) !== 0) parts.push(`Signal: ${e.Signal}`);
      if (e.Message !== "") parts.push(`Exit Message: ${JSON.stringify(e.Message)}`);
      return parts.join(", ");
    }
    case TaskEventType.Restarting: {
      const inText = `Task restarting in ${formatDurationNs(e.StartDelay ?? 0)}`;
      return e.RestartReason !== undefined && e.RestartReason !== "Restart within policy"
        ? `${e.RestartReason} - ${inText}`
        : inText;
    }
    case TaskEventType.NotRestarting:
      return e.RestartReason ?? "";
    case TaskEventType.Killing:
      return `Sent interrupt. Waiting ${formatDurationNs(e.KillTimeout ?? 0)} before force killing`;
    case TaskEventType.Killed:
      return MSG_TASK_KILLED;
    case TaskEventType.DriverFailure:
      return e.DriverError !== undefined && e.DriverError !== "" ? e.DriverError : "Failed to start task";
    case TaskEventType.SetupFailure:
      return e.SetupError ?? e.Message;
    case TaskEventType.SiblingFailed:
      return `Task's sibling ${JSON.stringify(e.FailedSibling ?? "")} failed`;
    case TaskEventType.LeaderDead:
      return "Leader Task in Group dead";
    case TaskEventType.MainDead:
      return "Main tasks in the group died";
    default:
      return e.Message;
  }
}
