// Host identity: unique.hostname, unique.host_id, kernel.{name,version,arch},
// os.{name,version}. Values follow what Nomad's library (gopsutil) reports on Linux:
// os.name is the os-release ID ("ubuntu", "debian"), os.version its VERSION_ID except on
// Debian, where /etc/debian_version carries the point release ("12.11").

import type { Fingerprinter } from "../types.js";
import type { HostProbe } from "../probe/host-probe.js";
import { parseOsRelease } from "../parse/os-release.js";
import { asUuid } from "../parse/uuid.js";

// Go's GOOS names for Node's platforms.
const GOOS: Record<string, string> = { win32: "windows", sunos: "solaris" };

export function goOs(platform: string): string {
  return GOOS[platform] ?? platform;
}

async function readOptional(probe: HostProbe, file: string): Promise<string | undefined> {
  try {
    const text = (await probe.readText(file)).trim();
    return text === "" ? undefined : text;
  } catch {
    return undefined;
  }
}

async function osNameVersion(probe: HostProbe): Promise<{ name?: string; version?: string }> {
  const text =
    (await readOptional(probe, "/etc/os-release")) ?? (await readOptional(probe, "/usr/lib/os-release"));
  if (text === undefined) return {};
  const rel = parseOsRelease(text);
  const name = rel["ID"];
  let version = rel["VERSION_ID"];
  if (name === "debian") version = (await readOptional(probe, "/etc/debian_version")) ?? version;
  return { ...(name === undefined ? {} : { name }), ...(version === undefined ? {} : { version }) };
}

/**
 * The machine's stable ID, in the order and form gopsutil (Nomad's library) uses on Linux:
 * DMI product UUID, else /etc/machine-id as a UUID, else the boot ID.
 */
async function hostId(probe: HostProbe): Promise<string | undefined> {
  const dmi = await readOptional(probe, "/sys/class/dmi/id/product_uuid");
  if (dmi !== undefined) return dmi.toLowerCase();
  const machineId = await readOptional(probe, "/etc/machine-id");
  const formatted = machineId === undefined ? undefined : asUuid(machineId);
  if (formatted !== undefined) return formatted;
  return (await readOptional(probe, "/proc/sys/kernel/random/boot_id"))?.toLowerCase();
}

export const hostFingerprinter: Fingerprinter = {
  name: "host",
  periodicIntervalMs: null,
  async fingerprint({ probe }) {
    const uname = probe.uname();
    const attributes: Record<string, string> = {
      "kernel.name": goOs(uname.platform),
      "kernel.version": uname.release,
      "kernel.arch": uname.machine,
      "unique.hostname": probe.hostname(),
    };
    const os = await osNameVersion(probe);
    if (os.name !== undefined) attributes["os.name"] = os.name;
    if (os.version !== undefined) attributes["os.version"] = os.version;
    const id = await hostId(probe);
    if (id !== undefined) attributes["unique.host_id"] = id;
    return { detected: true, attributes };
  },
};
