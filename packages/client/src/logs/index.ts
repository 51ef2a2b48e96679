import * as fs from "node:fs";
import * as path from "node:path";
import { defineFileRotator, type FileRotatorClass } from "./file-rotator.js";

export { defineFileRotator } from "./file-rotator.js";
export type { FileRotator, FileRotatorClass, FileRotatorOptions } from "./file-rotator.js";

/** The in-process rotating writer (mock_driver, tests). */
export const FileRotatorImpl: FileRotatorClass = defineFileRotator(fs, path);

export const BYTES_PER_MB = 1024 * 1024;

/** `<task>.stdout` / `<task>.stderr`, Nomad's log file base names. */
export function logBaseName(task: string, stream: "stdout" | "stderr"): string {
  return `${task}.${stream}`;
}
