// A server's node UUID: its Raft ID and the `id` gossip tag. Created once in the data dir (fsync'd
// with its directory) so a restarted server rejoins Raft as the same member; random in dev mode.
import { randomUUID } from "node:crypto";
import { mkdir, open, readFile, rename } from "node:fs/promises";
import { join } from "node:path";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export async function loadOrCreateNodeID(serverDir: string): Promise<string> {
  const file = join(serverDir, "node-id");
  try {
    const text = (await readFile(file, "utf8")).trim();
    if (!UUID.test(text)) throw new Error(`${file}: not a node UUID: ${JSON.stringify(text.slice(0, 64))}`);
    return text;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  await mkdir(serverDir, { recursive: true, mode: 0o700 });
  const id = randomUUID();
  const tmp = `${file}.tmp`;
  const fh = await open(tmp, "w", 0o600);
  try {
    await fh.writeFile(id);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
  const dir = await open(serverDir, "r");
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
  return id;
}
