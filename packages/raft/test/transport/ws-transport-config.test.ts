import { describe, expect, it } from "vitest";
import {
  formatAddress,
  parseAddress,
  wsTransportConfigSchema,
} from "../../src/transport/ws-transport-config.js";

describe("WsTransport configuration", () => {
  it("parses host:port and [v6]:port, and formats them back", () => {
    expect(parseAddress("127.0.0.1:7001")).toEqual({ host: "127.0.0.1", port: 7001 });
    expect(parseAddress("server-1.example:0")).toEqual({ host: "server-1.example", port: 0 });
    expect(parseAddress("[::1]:7001")).toEqual({ host: "::1", port: 7001 });
    expect(formatAddress("::1", 7001)).toBe("[::1]:7001");
    expect(formatAddress("127.0.0.1", 7001)).toBe("127.0.0.1:7001");
    for (const bad of ["", "7001", "host:", "host:70000", "::1:7001", "host:port", "a:1:2"]) {
      expect(() => parseAddress(bad), bad).toThrow(/host:port/);
    }
  });

  it("fills every bound with its default, each with a reason", () => {
    const config = wsTransportConfigSchema.parse({ id: "n1", address: "127.0.0.1:0" });
    expect(config).toMatchObject({
      maxQueuedMessages: 4096,
      maxQueuedBytes: 32 * 1024 * 1024,
      maxFrameBytes: 1024 * 1024,
      maxPayloadBytes: 64 * 1024 * 1024,
      reconnectMinMs: 50,
      reconnectMaxMs: 2000,
    });
    const shape = wsTransportConfigSchema.shape;
    expect(Object.keys(shape).length).toBe(13);
    for (const [field, schema] of Object.entries(shape)) {
      expect(schema.description, field).toMatch(/\w{3,}/);
    }
  });

  it("names the field of an invalid value and refuses inconsistent bounds", () => {
    const bad = wsTransportConfigSchema.safeParse({ id: "n1", address: "127.0.0.1:0", maxQueuedMessages: 0 });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(["maxQueuedMessages"]);
    const inverted = wsTransportConfigSchema.safeParse({
      id: "n1",
      address: "127.0.0.1:0",
      reconnectMinMs: 500,
      reconnectMaxMs: 100,
    });
    expect(inverted.error?.issues[0]?.message).toMatch(/reconnectMaxMs/);
  });
});
