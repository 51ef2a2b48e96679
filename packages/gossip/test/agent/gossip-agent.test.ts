// End to end: the gossip-agent example process with a real serf agent: HTTP /members and
// /event, stdout JSON events, and SIGINT = graceful leave (serf reports "left"), exit 0.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { SerfAgent, freePort, waitFor } from "../interop/serf-agent.js";

const pkg = fileURLToPath(new URL("../../", import.meta.url));
const procs: ChildProcess[] = [];
const agents: SerfAgent[] = [];
afterEach(() => {
  for (const p of procs.splice(0)) if (p.exitCode === null) p.kill("SIGKILL");
  for (const a of agents.splice(0)) a.kill();
});

async function http(
  port: number,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const r = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
  });
  return { status: r.status, json: await r.json() };
}

describe("gossip-agent example", () => {
  it("joins a real serf agent, serves /members and /event, prints events, leaves on SIGINT", async () => {
    const bind = await freePort();
    const hport = await freePort();
    const lines: string[] = [];
    const proc = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "--conditions=@nomad/source",
        "examples/gossip-agent.ts",
        "--node",
        "ga1",
        "--bind",
        `127.0.0.1:${bind}`,
        "--http",
        `127.0.0.1:${hport}`,
        "--tag",
        "k=v",
      ],
      { cwd: pkg, stdio: ["ignore", "pipe", "pipe"] },
    );
    procs.push(proc);
    let buf = "";
    proc.stdout?.on("data", (d: Buffer) => {
      buf += d.toString();
      const parts = buf.split("\n");
      buf = parts.pop() ?? "";
      lines.push(...parts);
    });
    await waitFor(
      async () => {
        try {
          return (await http(hport, "GET", "/members")).status === 200;
        } catch {
          return false;
        }
      },
      60_000,
      "gossip-agent HTTP up",
    );
    const dir = mkdtempSync(join(tmpdir(), "gossip-agent-"));
    const file = join(dir, "ev.txt");
    const serf = await SerfAgent.start("goA", {
      join: `127.0.0.1:${bind}`,
      eventHandler: `user=cat >> ${file}`,
    });
    agents.push(serf);
    await waitFor(
      async () => {
        const m = (await http(hport, "GET", "/members")).json as {
          Name: string;
          Status: string;
          Tags: unknown;
        }[];
        return m.some((x) => x.Name === "goA" && x.Status === "alive");
      },
      15_000,
      "ga1 lists goA alive",
    );
    expect(serf.members()?.find((m) => m.name === "ga1")).toMatchObject({
      status: "alive",
      tags: { k: "v" },
    });
    expect(
      (await http(hport, "POST", "/event", { name: "ping", payload: "p1", coalesce: false })).status,
    ).toBe(200);
    expect((await http(hport, "POST", "/event", { payload: "no name" })).status).toBe(400);
    await waitFor(
      () => existsSync(file) && readFileSync(file, "utf8").includes("p1"),
      10_000,
      "serf handler got the event",
    );
    await waitFor(
      () => lines.some((l) => l.includes('"member-join"') && l.includes('"goA"')),
      5_000,
      "stdout member-join line",
    );
    const exited = new Promise<number | null>((r) => proc.on("exit", (code) => r(code)));
    proc.kill("SIGINT");
    expect(await exited).toBe(0);
    await waitFor(() => serf.status("ga1") === "left", 10_000, "serf sees ga1 left");
    for (const l of lines) expect(() => JSON.parse(l)).not.toThrow();
  }, 120_000);
});
