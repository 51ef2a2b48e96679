// Child process for the SIGKILL test: appends to a FileLogStore, bumps the term in a
// FileStableStore and writes snapshots to a FileSnapshotStore, forever, with several appends in
// flight, printing each acknowledgement.
// Usage: node --import tsx --conditions=@nomad/source crash-child.ts <dir>
// Output lines: "ack <lastIndex>" once an append resolved, "term <term>" once a save resolved,
// "snap <index>" once a snapshot's close resolved.
import { join } from "node:path";
import { FileLogStore } from "../../src/storage/file-log-store.js";
import { FileSnapshotStore } from "../../src/storage/file-snapshot-store.js";
import { FileStableStore } from "../../src/storage/file-stable-store.js";
import { crashEntry, crashSnapshot, crashSnapshotMeta } from "./crash-entry.js";

const dir = process.argv[2];
if (dir === undefined) throw new Error("usage: crash-child.ts <dir>");
const log = await FileLogStore.open(join(dir, "log"), { maxSegmentBytes: 64 * 1024 });
const stable = await FileStableStore.open(dir);
const snapshots = await FileSnapshotStore.open(dir);
let next = log.lastIndex() + 1;
let term = stable.load().term;
const inFlight = 8;

function write(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function worker(): Promise<void> {
  for (;;) {
    const count = 1 + (next % 5);
    const batch = Array.from({ length: count }, (_, i) => crashEntry(next + i));
    next += count;
    await log.append(batch);
    write(`ack ${batch[batch.length - 1]!.index}`);
    if (next % 7 === 0) {
      const t = ++term;
      await stable.save({ term: t, vote: `n${t % 3}` });
      write(`term ${t}`);
    }
  }
}

write("ready");
/** Snapshots of ~64 KiB in 4 KiB chunks, one after another, each at the newest acknowledged index. */
async function snapshotter(): Promise<void> {
  for (;;) {
    const index = log.lastIndex();
    const sink = snapshots.create(crashSnapshotMeta(index));
    const data = crashSnapshot(index);
    for (let at = 0; at < data.byteLength; at += 4096) {
      sink.write(data.subarray(at, at + 4096));
      await new Promise((r) => setImmediate(r)); // let appends interleave with the snapshot
    }
    await sink.close();
    write(`snap ${index}`);
  }
}

await Promise.all([...Array.from({ length: inFlight }, worker), snapshotter()]);
