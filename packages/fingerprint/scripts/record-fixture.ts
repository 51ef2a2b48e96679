// Records this host as a fixture: every file the fingerprinters read, plus interfaces,
// volumes and identity, into <out>/host.json and <out>/root/...
//   pnpm --filter @nomad/fingerprint record-fixture test/fixtures/<name>
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fingerprintHost, LiveHostProbe } from "@nomad/fingerprint";
import { RecordingProbe, saveHostDescription } from "@nomad/fingerprint/testing";

const out = process.argv[2];
if (out === undefined) {
  process.stderr.write("usage: record-fixture <output dir>\n");
  process.exit(2);
}
const dataDir = mkdtempSync(path.join(tmpdir(), "fp-record-"));
try {
  const probe = new RecordingProbe(new LiveHostProbe());
  await fingerprintHost({ probe, config: { data_dir: dataDir } });
  const host = probe.description();
  // The data dir is a temporary one: record the volume under a stable path instead.
  const statfs = Object.fromEntries(Object.values(host.statfs).map((s) => ["/", s]));
  const dirs = (host.dirs ?? []).filter((d) => !d.startsWith(dataDir));
  saveHostDescription(out, { ...host, statfs, dirs });
  process.stdout.write(`recorded ${Object.keys(host.files).length} files into ${out}\n`);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
