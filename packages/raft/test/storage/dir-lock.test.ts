import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isStorageError } from "../../src/storage/errors.js";
import { FileLogStore } from "../../src/storage/file-log-store.js";
import { tempDir } from "./helpers.js";

describe("FileLogStore directory lock", () => {
  it("a second open of the same log in this process is LOCKED until the first closes", async () => {
    const tmp = await tempDir("lock");
    try {
      const first = await FileLogStore.open(tmp.dir);
      await expect(FileLogStore.open(tmp.dir)).rejects.toSatisfy((e) => isStorageError(e, "LOCKED"));
      await first.close();
      const second = await FileLogStore.open(tmp.dir);
      await second.close();
    } finally {
      await tmp.cleanup();
    }
  });

  it("a lock held by another live process is LOCKED; one left by a dead process is taken over", async () => {
    const tmp = await tempDir("lock");
    try {
      const lock = join(tmp.dir, "wal.lock");
      writeFileSync(lock, String(process.ppid)); // our parent is alive and is not us
      await expect(FileLogStore.open(tmp.dir)).rejects.toSatisfy(
        (e) => isStorageError(e, "LOCKED") && e.file === lock && String(e).includes(String(process.ppid)),
      );
      const exited = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]);
      writeFileSync(lock, exited.stdout.toString()); // that pid is dead now
      const store = await FileLogStore.open(tmp.dir);
      await store.close();
    } finally {
      await tmp.cleanup();
    }
  });

  it("a failed open (corruption) releases the lock", async () => {
    const tmp = await tempDir("lock");
    try {
      writeFileSync(join(tmp.dir, "first-index"), "garbage");
      await expect(FileLogStore.open(tmp.dir)).rejects.toSatisfy((e) => isStorageError(e, "CORRUPT"));
      writeFileSync(join(tmp.dir, "first-index"), "");
      await expect(FileLogStore.open(tmp.dir)).rejects.toSatisfy((e) => isStorageError(e, "CORRUPT")); // not LOCKED
    } finally {
      await tmp.cleanup();
    }
  });
});
