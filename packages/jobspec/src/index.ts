export { JobspecError, type JobspecErrorCode } from "./errors.js";
export { hclToApiJob } from "./hcl-job.js";
export { parseHclText } from "./hcl-syntax.js";
export { unwrapJsonJob } from "./json-job.js";
export { parseJobFile, parseJobFileRaw, toJob, type ParseJobFileOptions } from "./parse-job-file.js";
