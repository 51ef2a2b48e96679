// The node's secret: a UUID kept in <state_dir>/secret-id beside the fingerprint package's
// client-id (Nomad keeps both there), created once and written durably, so a restarted
// client proves it is the same node. A file that exists but holds no UUID is refused:
// minting a new secret would lock the node out of its own registration.

import { randomUUID } from "node:crypto";
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeFileDurable } from "../state/durable-file.js";

export const SECRET_ID_FILE = "secret-id";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Reads or creates the secret ID; `stateDir` undefined (-dev): a secret for this run only. */
export async function loadOrCreateSecretID(stateDir: string | undefined): Promise<string> {
  if (stateDir === undefined) return randomUUID();
  const file = join(stateDir, SECRET_ID_FILE);
  try {
    const id = (await readFile(file, "utf8")).trim().toLowerCase();
    if (!UUID.test(id))
      throw new Error(`${file} does not hold a UUID; refusing to replace the node's secret`);
    return id;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  const id = randomUUID();
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  await writeFileDurable(file, id);
  return id;
}
