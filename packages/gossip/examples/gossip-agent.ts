// gossip-agent: a Serf-compatible agent on @nomad/gossip, with a small HTTP JSON API.
//   pnpm gossip-agent --node NAME --bind 127.0.0.1:PORT --http 127.0.0.1:HPORT
//                     [--join HOST:PORT,...] [--encrypt BASE64KEY] [--tag k=v ...] [--profile lan|wan|local]
//                     [--coalesce-ms 3000 --quiescent-ms 1000]
// stdout: one JSON line per event. SIGINT: graceful leave, then exit 0. SIGTERM: exit, no leave.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { parseArgs } from "node:util";
import { SerfNode, type Member, type Profile, type SerfEvent } from "@nomad/gossip";

function fail(msg: string): never {
  process.stderr.write(`gossip-agent: ${msg}\n`);
  process.exit(2);
}

function hostPort(v: string, flag: string): { host: string; port: number } {
  const i = v.lastIndexOf(":");
  const port = Number(v.slice(i + 1));
  if (i <= 0 || !Number.isInteger(port) || port < 0 || port > 65535)
    fail(`${flag}: expected HOST:PORT, got "${v}"`);
  return { host: v.slice(0, i), port };
}

const { values } = parseArgs({
  options: {
    node: { type: "string" },
    bind: { type: "string", default: "127.0.0.1:7946" },
    http: { type: "string", default: "127.0.0.1:7947" },
    join: { type: "string" },
    encrypt: { type: "string" },
    tag: { type: "string", multiple: true, default: [] },
    profile: { type: "string", default: "lan" },
    "retransmit-floor": { type: "string" },
    // Event coalescing before stdout, as the serf agent does for its handlers (it uses 3000 / 1000);
    // off by default here so event lines carry their real arrival time (the bench measures them).
    "coalesce-ms": { type: "string", default: "0" },
    "quiescent-ms": { type: "string", default: "0" },
  },
  strict: true,
});
if (values.node === undefined) fail("--node is required");
const profile = values.profile as Profile;
if (!["lan", "wan", "local", "test"].includes(profile))
  fail(`--profile: unknown profile "${values.profile}"`);
const bind = hostPort(values.bind, "--bind");
const http = hostPort(values.http, "--http");
const tags: Record<string, string> = {};
for (const t of values.tag) {
  const i = t.indexOf("=");
  if (i <= 0) fail(`--tag: expected k=v, got "${t}"`);
  tags[t.slice(0, i)] = t.slice(i + 1);
}

function memberJson(m: Member): Record<string, unknown> {
  return { Name: m.name, Addr: m.addr.host, Port: m.addr.port, Tags: m.tags, Status: m.status };
}

function print(e: SerfEvent): void {
  const line =
    e.type === "user"
      ? {
          type: "user",
          name: e.name,
          payload: Buffer.from(e.payload).toString("utf8"),
          ltime: Number(e.ltime),
          coalesce: e.coalesce,
        }
      : e.type === "query"
        ? {
            type: "query",
            name: e.name,
            payload: Buffer.from(e.payload).toString("utf8"),
            ltime: Number(e.ltime),
            from: e.sourceNode,
          }
        : { type: e.type, members: e.members.map(memberJson) };
  process.stdout.write(JSON.stringify(line) + "\n");
}

const node = await SerfNode.start(
  {
    name: values.node,
    bindHost: bind.host,
    bindPort: bind.port,
    tags,
    encryptKeys: values.encrypt === undefined ? [] : [values.encrypt],
    coalescePeriodMs: Number(values["coalesce-ms"]),
    quiescentPeriodMs: Number(values["quiescent-ms"]),
    userCoalescePeriodMs: Number(values["coalesce-ms"]),
    userQuiescentPeriodMs: Number(values["quiescent-ms"]),
    ...(values["retransmit-floor"] === undefined
      ? {}
      : { retransmitFloor: Number(values["retransmit-floor"]) }),
  },
  print,
  profile,
).catch((e: unknown) => fail(e instanceof Error ? e.message : String(e)));

/** POST /event body: {"name": non-empty string, "payload"?: string, "coalesce"?: boolean}. */
function eventBody(b: unknown): { name: string; payload: string; coalesce: boolean } | string {
  if (typeof b !== "object" || b === null || Array.isArray(b)) return "body: expected a JSON object";
  const { name, payload = "", coalesce = false } = b as Record<string, unknown>;
  if (typeof name !== "string" || name === "") return "name: expected a non-empty string";
  if (typeof payload !== "string") return "payload: expected a string";
  if (typeof coalesce !== "boolean") return "coalesce: expected true or false";
  return { name, payload, coalesce };
}

let leaving = false;
async function leaveAndExit(): Promise<void> {
  if (leaving) return;
  leaving = true;
  await node.leave();
  server.close();
  process.exit(0);
}

function send(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

async function body(req: IncomingMessage): Promise<unknown> {
  let s = "";
  for await (const chunk of req) {
    s += String(chunk);
    if (s.length > 64 * 1024) throw new Error("body too large");
  }
  return s === "" ? {} : JSON.parse(s);
}

const server = createServer((req, res) => {
  void (async () => {
    try {
      if (req.method === "GET" && req.url === "/members")
        return send(res, 200, node.members().map(memberJson));
      if (req.method === "GET" && req.url === "/stats")
        return send(res, 200, { ...node.memberlist.stats, core: node.memberlist.core.stats });
      if (req.method === "POST" && req.url === "/event") {
        const r = eventBody(await body(req));
        if (typeof r === "string") return send(res, 400, { error: r });
        const ltime = node.userEvent(r.name, r.payload, r.coalesce);
        return send(res, 200, { LTime: Number(ltime) });
      }
      if (req.method === "POST" && req.url === "/leave") {
        send(res, 200, { leaving: true });
        return void leaveAndExit();
      }
      send(res, 404, { error: `no route ${req.method} ${req.url}` });
    } catch (e) {
      send(res, 400, { error: e instanceof Error ? e.message : String(e) });
    }
  })();
});
server.listen(http.port, http.host);

process.on("SIGINT", () => void leaveAndExit());
process.on("SIGTERM", () => {
  // no leave: peers will see us fail
  void node.shutdown().then(() => process.exit(0));
});

if (values.join !== undefined) {
  const n = await node.join(values.join.split(",").filter((s) => s !== ""));
  if (n === 0) process.stderr.write(`gossip-agent: could not join any of ${values.join}\n`);
}
