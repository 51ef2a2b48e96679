// A real crash: a child process appends and prints each acknowledged index; the test SIGKILLs it
// at a random moment, reopens the stores and checks that every acknowledged entry is there and
// intact, that the term is at least the last acknowledged one, and that the newest snapshot is
// at least the last acknowledged one and verifies (a half-written one is never listed). Three rounds on the same
// directory, so recovery of an already-recovered log is exercised too.
// (SIGKILL loses the process, not the page cache: this checks torn writes at the process level
// and the acknowledgement order; the fsync itself is covered by the stats and recovery tests.)
import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FileLogStore } from "../../src/storage/file-log-store.js";
import { FileSnapshotStore } from "../../src/storage/file-snapshot-store.js";
import { FileStableStore } from "../../src/storage/file-stable-store.js";
import { crashEntry, crashSnapshot } from "./crash-entry.js";
import { plain, tempDir } from "./helpers.js";

const packageRoot = fileURLToPath(new URL("../..", import.meta.url));
const childScript = fileURLToPath(new URL("./crash-child.ts", import.meta.url));

interface ChildRun {
  maxAcked: number;
  maxTerm: number;
  maxSnapshot: number;
}

/** Runs the child until it has acknowledged `atLeast` more entries, waits `extraMs`, then SIGKILLs it. */
function runAndKill(dir: string, atLeast: number, extraMs: number): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "--conditions=@nomad/source", childScript, dir],
      {
        cwd: packageRoot,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const run: ChildRun = { maxAcked: 0, maxTerm: 0, maxSnapshot: 0 };
    let first: number | undefined;
    let buffered = "";
    let stderr = "";
    let killing = false;
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdout.on("data", (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) {
        const [kind, value] = line.split(" ");
        if (kind === "ack") {
          run.maxAcked = Math.max(run.maxAcked, Number(value));
          first ??= run.maxAcked;
        } else if (kind === "term") {
          run.maxTerm = Math.max(run.maxTerm, Number(value));
        } else if (kind === "snap") {
          run.maxSnapshot = Math.max(run.maxSnapshot, Number(value));
        }
        if (!killing && first !== undefined && run.maxAcked - first >= atLeast) {
          killing = true;
          setTimeout(() => child.kill("SIGKILL"), extraMs);
        }
      }
    });
    child.on("exit", (code, signal) => {
      if (signal === "SIGKILL") resolve(run);
      else reject(new Error(`child exited with ${code ?? signal}: ${stderr}`));
    });
  });
}

let tmp: { dir: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  tmp = await tempDir("crash");
});
afterAll(async () => {
  await tmp.cleanup();
});

describe("SIGKILL during appends", () => {
  it("every acknowledged entry, term and snapshot survives a SIGKILL at a random moment, three times over", async () => {
    const dir = join(tmp.dir, "node");
    let everAcked = 0;
    for (let round = 0; round < 3; round++) {
      const run = await runAndKill(dir, 400 + round * 300, Math.floor(Math.random() * 40));
      expect(run.maxAcked).toBeGreaterThan(everAcked);
      everAcked = run.maxAcked;
      const log = await FileLogStore.open(join(dir, "log"));
      expect(log.firstIndex()).toBe(1);
      expect(log.lastIndex()).toBeGreaterThanOrEqual(run.maxAcked);
      // Everything recovered is intact, acknowledged or not (contents depend on the index only).
      const recovered = log.entries(1, log.lastIndex());
      expect(plain(recovered)).toEqual(plain(recovered.map((e) => crashEntry(e.index))));
      await log.close();
      const stable = await FileStableStore.open(dir);
      expect(stable.load().term).toBeGreaterThanOrEqual(run.maxTerm);
      await stable.close();
      const snapshots = await FileSnapshotStore.open(dir);
      const listed = snapshots.list();
      expect(snapshots.lastSkipped).toEqual([]);
      expect(listed.length).toBeGreaterThan(0);
      expect(listed[0]!.meta.index).toBeGreaterThanOrEqual(run.maxSnapshot);
      for (const s of listed) {
        const { meta, data } = await snapshots.open(s.id);
        expect(Buffer.from(data).equals(Buffer.from(crashSnapshot(meta.index)))).toBe(true);
      }
      await snapshots.close();
    }
  }, 120_000);
});
