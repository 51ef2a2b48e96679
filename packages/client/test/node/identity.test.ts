import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fingerprintHost } from "@nomad/fingerprint";
import { parseClientConfig } from "../../src/config.js";
import { buildNode, fingerprintConfigOf } from "../../src/node/build-node.js";
import { loadOrCreateSecretID, SECRET_ID_FILE } from "../../src/node/identity.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "client-identity-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("node secret", () => {
  it("is created once in <state_dir>/secret-id and read back afterwards", async () => {
    const first = await loadOrCreateSecretID(join(dir, "client"));
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    expect((await readFile(join(dir, "client", SECRET_ID_FILE), "utf8")).trim()).toBe(first);
    expect(await loadOrCreateSecretID(join(dir, "client"))).toBe(first);
  });

  it("a file that does not hold a UUID is refused rather than replaced", async () => {
    await writeFile(join(dir, SECRET_ID_FILE), "garbage");
    await expect(loadOrCreateSecretID(dir)).rejects.toThrow(/refusing to replace/);
    expect(await readFile(join(dir, SECRET_ID_FILE), "utf8")).toBe("garbage");
  });

  it("without a state dir (-dev) a secret is made for this run only", async () => {
    expect(await loadOrCreateSecretID(undefined)).not.toBe(await loadOrCreateSecretID(undefined));
  });
});

describe("buildNode", () => {
  it("fills the Node the servers schedule on from config and fingerprint", async () => {
    const config = parseClientConfig({
      dataDir: dir,
      nodeName: "n1",
      nodeClass: "c",
      nodePool: "gpu",
      meta: { a: "b" },
      reserved: { memory: 128, reservedPorts: "22" },
      httpAdvertise: "10.1.1.1:4646",
      rawExecEnabled: true,
    });
    const fp = await fingerprintHost({ config: fingerprintConfigOf(config) });
    const node = buildNode(config, fp, { secretID: "s" });
    expect(node).toMatchObject({
      ID: fp.node.ID,
      SecretID: "s",
      Name: "n1",
      NodeClass: "c",
      NodePool: "gpu",
      Meta: { a: "b" },
      HTTPAddr: "10.1.1.1:4646",
      Status: "initializing",
      SchedulingEligibility: "eligible",
    });
    expect(node.ReservedResources.Memory.MemoryMB).toBe(128);
    expect(node.ReservedResources.Networks.ReservedHostPorts).toBe("22");
    expect(node.Attributes["unique.advertise.address"]).toBe("10.1.1.1:4646");
    expect(node.Drivers["raw_exec"]?.Detected).toBe(true);
    expect((await readFile(join(dir, "client", "client-id"), "utf8")).trim()).toBe(node.ID);
  });
});
