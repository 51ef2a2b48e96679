// raft-kv: a replicated key-value server on @nomad/raft, one process per node.
//
//   pnpm raft-kv --id n1 --dir DATA --raft 127.0.0.1:7001 --http 127.0.0.1:8001 \
//                --peers n1=127.0.0.1:7001,n2=127.0.0.1:7002,n3=127.0.0.1:7003
//
// --peers bootstraps an empty data dir (ignored once the dir holds state, so a restart with the
// same flags resumes). Peers' HTTP addresses need no flag: a leader records its own in the
// replicated state when it takes office, and the others forward (or redirect) to it.
import { mkdirSync } from "node:fs";
import type { Server as HttpServer } from "node:http";
import { parseArgs } from "node:util";
import type { Configuration, RaftConfigProfile } from "@nomad/raft";
import { RaftNode, isRaftError, raftConfigProfiles } from "@nomad/raft";
import { createKvServer, splitHostPort } from "./http.js";
import { encodeCommand, KvStateMachine, type KvResult } from "./kv-fsm.js";
import { openNodeIo } from "./node-io.js";

const USAGE = `usage: raft-kv --id ID --dir DIR --raft HOST:PORT --http HOST:PORT
               [--peers ID=HOST:PORT,...] [--profile default|test] [--redirect]`;

interface Flags {
  readonly id: string;
  readonly dir: string;
  readonly raft: string;
  readonly http: string;
  readonly peers: Configuration | undefined;
  readonly profile: RaftConfigProfile;
  readonly redirect: boolean;
}

function parseFlags(argv: string[]): Flags {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      id: { type: "string" },
      dir: { type: "string" },
      raft: { type: "string" },
      http: { type: "string" },
      peers: { type: "string" },
      profile: { type: "string", default: "default" },
      redirect: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help === true) {
    process.stdout.write(USAGE + "\n");
    process.exit(0);
  }
  for (const name of ["id", "dir", "raft", "http"] as const) {
    if (values[name] === undefined || values[name] === "") throw new Error(`--${name} is required`);
  }
  splitHostPort(values.raft!);
  splitHostPort(values.http!);
  const profile = values.profile!;
  if (!(profile in raftConfigProfiles))
    throw new Error(`--profile: expected one of ${Object.keys(raftConfigProfiles).join(", ")}`);
  return {
    id: values.id!,
    dir: values.dir!,
    raft: values.raft!,
    http: values.http!,
    peers: values.peers === undefined ? undefined : parsePeers(values.peers, values.id!, values.raft!),
    profile: profile as RaftConfigProfile,
    redirect: values.redirect === true,
  };
}

function parsePeers(text: string, self: string, raftAddress: string): Configuration {
  const servers = text.split(",").map((part) => {
    const eq = part.indexOf("=");
    if (eq <= 0) throw new Error(`--peers: "${part}" is not ID=HOST:PORT`);
    const id = part.slice(0, eq).trim();
    const address = part.slice(eq + 1).trim();
    splitHostPort(address);
    return { id, address, suffrage: "voter" as const };
  });
  const me = servers.find((s) => s.id === self);
  if (me === undefined) throw new Error(`--peers must include this node (${self})`);
  if (me.address !== raftAddress)
    throw new Error(`--peers gives ${self} the address ${me.address}, --raft says ${raftAddress}`);
  return { servers };
}

async function main(): Promise<void> {
  let flags: Flags;
  try {
    flags = parseFlags(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`raft-kv: ${(e as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  mkdirSync(flags.dir, { recursive: true });
  const fsm = new KvStateMachine();
  const io = await openNodeIo(flags.id, flags.dir, flags.raft);
  const node = await RaftNode.start<KvResult>({
    id: flags.id,
    profile: flags.profile,
    transport: io.transport,
    logStore: io.logStore,
    stableStore: io.stableStore,
    snapshotStore: io.snapshotStore,
    fsm,
    ...(flags.peers === undefined ? {} : { bootstrap: flags.peers }),
  });
  node.observe((ev) => {
    if (ev.type === "leaderChange") log(`leader is ${ev.leader ?? "(none)"} in term ${ev.term}`);
    if (ev.type === "fatal") log(`fatal: ${ev.error.stack ?? ev.error.message}`);
  });

  // A leader records its HTTP address so that the others can send clients to it.
  let announcing = false;
  const announce = setInterval(() => {
    if (announcing || node.state() !== "leader" || fsm.httpAddressOf(flags.id) === flags.http) return;
    announcing = true;
    node
      .apply(encodeCommand({ op: "member", id: flags.id, http: flags.http }), { timeoutMs: 2_000 })
      .catch((e: unknown) => {
        if (!isRaftError(e)) log(`announce: ${(e as Error).message}`);
      })
      .finally(() => (announcing = false));
  }, 50);

  const server = createKvServer({ id: flags.id, node, fsm, redirect: flags.redirect });
  const [host, port] = splitHostPort(flags.http);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  log(`listening: http ${flags.http}, raft ${io.transport.localAddress}, data ${flags.dir}`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: shutting down`);
    clearInterval(announce);
    void shutdown(server, node, io).then(
      () => process.exit(0),
      (e: unknown) => {
        log(`shutdown failed: ${(e as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

async function shutdown(
  server: HttpServer,
  node: RaftNode<KvResult>,
  io: Awaited<ReturnType<typeof openNodeIo>>,
): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  // In-flight requests get their answer (SHUTDOWN -> 503) once the node stops.
  await node.shutdown();
  await Promise.race([closed, new Promise((r) => setTimeout(r, 2_000))]);
  server.closeAllConnections();
  await io.close();
}

function log(line: string): void {
  process.stderr.write(`[raft-kv] ${new Date().toISOString()} ${line}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`raft-kv: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
