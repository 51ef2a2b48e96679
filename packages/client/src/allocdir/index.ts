export {
  AllocDir,
  mountPointsUnder,
  type AllocDirOptions,
  TaskDir,
  SHARED_ALLOC_NAME,
  SHARED_DATA,
  SHARED_LOGS,
  TASK_LOCAL,
  TASK_PRIVATE,
  TASK_SECRETS,
  TASK_TMP,
} from "./alloc-dir.js";
