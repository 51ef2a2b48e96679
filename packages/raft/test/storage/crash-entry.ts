// The entry the crash child writes at each index: contents derived from the index alone, so the
// test can check any recovered entry without knowing what the child wrote.
import type { LogEntry } from "../../src/core/types.js";

export function crashEntry(index: number): LogEntry {
  const size = 40 + (index % 90);
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i++) data[i] = (index * 131 + i * 7) & 0xff;
  return { index, term: 1, type: "command", data };
}
