export {
  TaskRunner,
  emptyTaskState,
  DEFAULT_KILL_SIGNAL,
  DEFAULT_MAX_KILL_TIMEOUT_MS,
  MAX_TASK_EVENTS,
  type TaskRunnerDeps,
} from "./task-runner.js";
export {
  RestartTracker,
  REASON_DELAY,
  REASON_NO_RESTARTS_ALLOWED,
  REASON_UNNECESSARY,
  REASON_UNRECOVERABLE,
  REASON_WITHIN_POLICY,
  RESTART_JITTER_FRACTION,
  type ExitOutcome,
  type RestartDecision,
} from "./restart-tracker.js";
export {
  buildTaskEnv,
  interpolate,
  interpolateConfig,
  DEFAULT_ENV_DENYLIST,
  type TaskEnv,
  type TaskEnvInput,
} from "./task-env.js";
export {
  newEvent,
  TaskEventType,
  MSG_BUILDING_TASK_DIR,
  MSG_TASK_KILLED,
  MSG_TASK_RECEIVED,
  MSG_TASK_STARTED,
  type RunnerTaskEvent,
  type TaskEventTypeName,
} from "./task-events.js";
