// The entry the crash child writes at each index: contents derived from the index alone, so the
// test can check any recovered entry without knowing what the child wrote.
import type { LogEntry, SnapshotMeta } from "../../src/core/types.js";

export function crashEntry(index: number): LogEntry {
  const size = 40 + (index % 90);
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i++) data[i] = (index * 131 + i * 7) & 0xff;
  return { index, term: 1, type: "command", data };
}

export function crashSnapshotMeta(index: number): SnapshotMeta {
  return {
    index,
    term: 1,
    configurationIndex: 0,
    configuration: { servers: [{ id: "n1", address: "127.0.0.1:1", suffrage: "voter" }] },
  };
}

export function crashSnapshot(index: number): Uint8Array {
  const data = new Uint8Array(64 * 1024 + (index % 1000));
  for (let i = 0; i < data.byteLength; i++) data[i] = (index + i * 3) & 0xff;
  return data;
}
