import { describe, expect, it } from "vitest";
import { nodeIdFingerprinter } from "@nomad/fingerprint";
import { ctx, fixture, FIXTURES } from "../helpers.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("node ID fingerprinter", () => {
  it("creates a UUID once in <data_dir>/client/client-id and returns the same one afterwards", async () => {
    const probe = fixture(FIXTURES.arm64NoNetwork);
    const first = await nodeIdFingerprinter.fingerprint(ctx(probe, { data_dir: "/srv/nomad" }));
    expect(first.nodeId).toMatch(UUID);
    expect(probe.written.get("/srv/nomad/client/client-id")).toBe(first.nodeId);
    const second = await nodeIdFingerprinter.fingerprint(ctx(probe, { data_dir: "/srv/nomad" }));
    expect(second.nodeId).toBe(first.nodeId);
    expect(probe.calls.get("writeTextDurable")).toBe(1);
  });

  it("keeps an existing ID file", async () => {
    const probe = fixture(FIXTURES.arm64NoNetwork);
    probe.setFile("/srv/nomad/client/client-id", "5f1d7e0c-8a8b-4f7c-9d61-2a1b3c4d5e6f\n");
    const r = await nodeIdFingerprinter.fingerprint(ctx(probe, { data_dir: "/srv/nomad" }));
    expect(r.nodeId).toBe("5f1d7e0c-8a8b-4f7c-9d61-2a1b3c4d5e6f");
  });

  it("refuses to replace an ID file that does not hold a UUID", async () => {
    const probe = fixture(FIXTURES.arm64NoNetwork);
    probe.setFile("/srv/nomad/client/client-id", "garbage");
    await expect(nodeIdFingerprinter.fingerprint(ctx(probe, { data_dir: "/srv/nomad" }))).rejects.toThrow(
      /refusing/,
    );
    expect(probe.written.size).toBe(0);
  });

  it("no_host_uuid = false uses the host's machine ID formatted as a UUID", async () => {
    const probe = fixture(FIXTURES.containerV1Limited);
    const r = await nodeIdFingerprinter.fingerprint(
      ctx(probe, { data_dir: "/opt/nomad/data", no_host_uuid: false }),
    );
    expect(r.nodeId).toBe("8f4b2a1c-9d3e-4f5a-6b7c-8d9e0f1a2b3c");
  });

  it("without a data dir the ID is for this run only and nothing is written", async () => {
    const probe = fixture(FIXTURES.arm64NoNetwork);
    const r = await nodeIdFingerprinter.fingerprint(ctx(probe));
    expect(r.nodeId).toMatch(UUID);
    expect(probe.written.size).toBe(0);
  });
});
