// The alloc dir layout of Nomad (reference/NOMAD.md 6.3):
//
//   <alloc_dir>/<alloc_id>/
//     alloc/{data,logs,tmp}            shared by the alloc's tasks (NOMAD_ALLOC_DIR)
//     <task>/{local,secrets,tmp,private}
//     <task>/alloc -> ../alloc         the shared dir, as seen from the task dir
//
// Modes: shared dirs and a task's local/tmp are world-writable (tmp sticky) because tasks
// may run as another user than the agent; secrets and private are owner-only (private holds
// the supervisor's state, secrets what only the task's user may read).

import { execFile } from "node:child_process";
import { mkdir, rm, symlink, lstat, chmod, readFile } from "node:fs/promises";
import * as path from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

export interface AllocDirOptions {
  /**
   * Mount each task's secrets dir as a tmpfs of this many MB (Nomad does so on Linux as
   * root, so secrets never reach the disk). 0 = a plain directory. Needs root.
   */
  secretsTmpfsMB?: number | undefined;
}

export const SHARED_ALLOC_NAME = "alloc";
export const SHARED_DATA = "data";
export const SHARED_LOGS = "logs";
export const TASK_LOCAL = "local";
export const TASK_SECRETS = "secrets";
export const TASK_TMP = "tmp";
export const TASK_PRIVATE = "private";

const MODE_SHARED = 0o777;
const MODE_TMP = 0o1777;
const MODE_OWNER_ONLY = 0o700;
const MODE_ROOT = 0o755;

/** Task and alloc names become path components: refuse anything that could escape the alloc dir. */
function assertPathComponent(field: string, value: string): void {
  if (value === "" || value === "." || value === ".." || value.includes("/") || value.includes("\0")) {
    throw new Error(`${field}: ${JSON.stringify(value)} is not a valid directory name`);
  }
}

async function mkdirMode(dir: string, mode: number): Promise<void> {
  await mkdir(dir, { recursive: true });
  // mkdir's mode is filtered by the umask; chmod sets exactly what the layout needs.
  await chmod(dir, mode);
}

export class TaskDir {
  readonly dir: string;
  readonly localDir: string;
  readonly secretsDir: string;
  readonly tmpDir: string;
  readonly privateDir: string;
  /** `<task>/alloc`, a link to the shared alloc dir. */
  readonly sharedAllocLink: string;

  constructor(
    allocRoot: string,
    readonly taskName: string,
    private readonly options: AllocDirOptions = {},
  ) {
    assertPathComponent("task name", taskName);
    this.dir = path.join(allocRoot, taskName);
    this.localDir = path.join(this.dir, TASK_LOCAL);
    this.secretsDir = path.join(this.dir, TASK_SECRETS);
    this.tmpDir = path.join(this.dir, TASK_TMP);
    this.privateDir = path.join(this.dir, TASK_PRIVATE);
    this.sharedAllocLink = path.join(this.dir, SHARED_ALLOC_NAME);
  }

  /** Idempotent: a restored or restarted task builds the same dir again without losing files. */
  async build(): Promise<void> {
    await mkdirMode(this.dir, MODE_ROOT);
    await mkdirMode(this.localDir, MODE_SHARED);
    await mkdirMode(this.tmpDir, MODE_TMP);
    await mkdirMode(this.secretsDir, MODE_OWNER_ONLY);
    const tmpfsMB = this.options.secretsTmpfsMB ?? 0;
    if (tmpfsMB > 0 && !(await mountPointsUnder(this.secretsDir)).includes(this.secretsDir)) {
      await execFileAsync("mount", [
        "-t",
        "tmpfs",
        "-o",
        `size=${Math.ceil(tmpfsMB)}m,mode=0700,noexec,nosuid,nodev`,
        "tmpfs",
        this.secretsDir,
      ]);
    }
    await mkdirMode(this.privateDir, MODE_OWNER_ONLY);
    const exists = await lstat(this.sharedAllocLink).then(
      () => true,
      () => false,
    );
    if (!exists) await symlink(path.join("..", SHARED_ALLOC_NAME), this.sharedAllocLink);
  }
}

export class AllocDir {
  /** `<alloc_dir>/<alloc_id>`. */
  readonly allocRoot: string;
  /** `<alloc_dir>/<alloc_id>/alloc` (NOMAD_ALLOC_DIR). */
  readonly sharedDir: string;
  readonly dataDir: string;
  readonly logsDir: string;
  readonly tmpDir: string;

  constructor(
    readonly clientAllocDir: string,
    readonly allocID: string,
    private readonly options: AllocDirOptions = {},
  ) {
    assertPathComponent("alloc ID", allocID);
    this.allocRoot = path.join(clientAllocDir, allocID);
    this.sharedDir = path.join(this.allocRoot, SHARED_ALLOC_NAME);
    this.dataDir = path.join(this.sharedDir, SHARED_DATA);
    this.logsDir = path.join(this.sharedDir, SHARED_LOGS);
    this.tmpDir = path.join(this.sharedDir, TASK_TMP);
  }

  /** Idempotent. */
  async build(): Promise<void> {
    await mkdirMode(this.allocRoot, MODE_ROOT);
    await mkdirMode(this.sharedDir, MODE_ROOT);
    await mkdirMode(this.dataDir, MODE_SHARED);
    await mkdirMode(this.logsDir, MODE_SHARED);
    await mkdirMode(this.tmpDir, MODE_TMP);
  }

  taskDir(taskName: string): TaskDir {
    return new TaskDir(this.allocRoot, taskName, this.options);
  }

  /** Removes the whole alloc dir (tasks must be dead), unmounting what was mounted in it. */
  async destroy(): Promise<void> {
    // Deepest first, lazily: a mount still busy must not keep the dir (and its data) around.
    const mounts = (await mountPointsUnder(this.allocRoot)).sort((a, b) => b.length - a.length);
    for (const m of mounts) await execFileAsync("umount", ["-l", m]);
    await rm(this.allocRoot, { recursive: true, force: true });
  }
}

/** Mount points at or below `dir`, from /proc/self/mountinfo (empty where there is none). */
export async function mountPointsUnder(dir: string): Promise<string[]> {
  const text = await readFile("/proc/self/mountinfo", "utf8").catch(() => "");
  const out: string[] = [];
  for (const line of text.split("\n")) {
    const field = line.split(" ")[4];
    if (field === undefined) continue;
    // mountinfo escapes space, tab, newline and backslash as octal.
    const mountPoint = field.replace(/\\([0-7]{3})/g, (_m, oct: string) =>
      String.fromCharCode(parseInt(oct, 8)),
    );
    if (mountPoint === dir || mountPoint.startsWith(dir + path.sep)) out.push(mountPoint);
  }
  return out;
}
