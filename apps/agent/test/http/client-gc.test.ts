import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LOCAL_ALLOC as ALLOC, startHarness, type Harness } from "./fake-backend.js";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

describe("client GC endpoints", () => {
  it("PUT /v1/client/gc collects every finished allocation and answers an empty 200", async () => {
    const res = await fetch(`${h.base}/v1/client/gc`, { method: "PUT" });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("");
    expect(h.client.gcCalls).toEqual(["*"]);
  });

  it("GET /v1/client/allocation/:id/gc collects a finished allocation", async () => {
    h.client.finished.add(ALLOC);
    const res = await fetch(`${h.base}/v1/client/allocation/${ALLOC}/gc`);
    expect(res.status).toBe(200);
    expect(h.client.gcCalls).toEqual([ALLOC]);
  });

  it("refuses a running allocation (400) and an unknown one (404)", async () => {
    const running = await fetch(`${h.base}/v1/client/allocation/${ALLOC}/gc`);
    expect(running.status).toBe(400);
    expect(await running.text()).toContain("still running");
    const unknown = await fetch(`${h.base}/v1/client/allocation/ffffffff-0000-4000-8000-000000000000/gc`);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toBe('Unknown allocation "ffffffff-0000-4000-8000-000000000000"');
  });

  it("DELETE is not a method of /v1/client/gc (405)", async () => {
    const res = await fetch(`${h.base}/v1/client/gc`, { method: "DELETE" });
    expect(res.status).toBe(405);
    expect(await res.text()).toBe("Invalid method");
  });
});
