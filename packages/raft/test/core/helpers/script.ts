// A small interpreter for scripted interaction tests (etcd's testdata style): each file holds
// commands ("> cmd args") followed by the output they must print. Run with UPDATE_TESTDATA=1 to
// rewrite the expected output from the actual one (then review the diff).
import type { RaftEvent } from "../../../src/core/api.js";
import type { LogEntry } from "../../../src/core/types.js";
import { Network } from "./network.js";
import type { ConfigOverrides } from "./test-node.js";

export interface Block {
  readonly command: string;
  readonly expected: string[];
  readonly comments: string[];
}

export function parseScript(text: string): Block[] {
  const blocks: Block[] = [];
  let comments: string[] = [];
  for (const line of text.split("\n")) {
    if (line.startsWith("> ")) {
      blocks.push({ command: line.slice(2).trim(), expected: [], comments });
      comments = [];
    } else if (line.startsWith("#") || (line.trim() === "" && blocks.length === 0)) {
      comments.push(line);
    } else if (line.trim() !== "") {
      const last = blocks[blocks.length - 1];
      if (!last) throw new Error(`output before any command: ${line}`);
      last.expected.push(line);
    }
  }
  return blocks;
}

export function formatScript(blocks: readonly Block[], outputs: readonly string[][]): string {
  const lines: string[] = [];
  blocks.forEach((b, i) => {
    lines.push(...b.comments.filter((c) => c.trim() !== ""));
    lines.push(`> ${b.command}`, ...outputs[i]!);
  });
  return lines.join("\n") + "\n";
}

const enc = new TextEncoder();
const dec = new TextDecoder();

export class ScriptRunner {
  private net: Network | undefined;
  private readonly eventCursor = new Map<string, number>();

  run(command: string): string[] {
    const [name, ...args] = command.split(/\s+/);
    const net = (): Network => {
      if (!this.net) throw new Error("no cluster yet");
      return this.net;
    };
    switch (name) {
      case "cluster": {
        const ids = args.filter((a) => !a.includes("="));
        const overrides: Record<string, number | boolean> = {};
        for (const kv of args.filter((a) => a.includes("="))) {
          const [k, v] = kv.split("=") as [string, string];
          overrides[k] = v === "true" ? true : v === "false" ? false : Number(v);
        }
        this.net = Network.bootstrapped(ids, overrides as ConfigOverrides);
        return [];
      }
      case "elect": {
        const l = net().elect();
        return [`leader ${l.id} term ${l.core.status().term}`];
      }
      case "tick":
        net().tick(Number(args[0] ?? 1), args.length > 1 ? args.slice(1) : undefined);
        return [];
      case "settle":
        net().settle();
        return [];
      case "campaign":
        net().node(args[0]!).core.campaign();
        net().settle();
        return [];
      case "propose":
      case "barrier":
      case "transfer":
      case "add-voter":
      case "add-nonvoter":
      case "remove": {
        const core = net().node(args[0]!).core;
        const target = args[1]!;
        const r =
          name === "propose"
            ? core.propose(enc.encode(target))
            : name === "barrier"
              ? core.proposeBarrier()
              : name === "transfer"
                ? core.transferLeadership(target)
                : name === "remove"
                  ? core.proposeMembership({ type: "removeServer", id: target })
                  : core.proposeMembership({
                      type: name === "add-voter" ? "addVoter" : "addNonvoter",
                      id: target,
                      address: `${target}:7000`,
                    });
        net().settle();
        return [
          r.ok
            ? `ok index=${r.index} term=${r.term}`
            : `refused ${r.code}${r.leader ? ` leader=${r.leader}` : ""}`,
        ];
      }
      case "read": {
        const node = net().node(args[0]!);
        const id = Number(args[1]);
        node.core.readIndex(id);
        net().settle();
        const rs = node.readStates.find((r) => r.requestId === id);
        if (rs) return [`read ${id}: index=${rs.index}`];
        const failed = node.events.find((e) => e.type === "readFailed" && e.requestId === id);
        return [
          failed && failed.type === "readFailed"
            ? `read ${id}: failed ${failed.code}`
            : `read ${id}: pending`,
        ];
      }
      case "status":
        return (args.length > 0 ? args : [...net().nodes.keys()]).map((id) => {
          const s = net().node(id).core.status();
          const leader = s.leader ?? "none";
          return `${id}: ${s.role} term=${s.term} leader=${leader} commit=${s.commitIndex} last=${s.lastLogIndex}@${s.lastLogTerm}`;
        });
      case "applied":
        return (args.length > 0 ? args : [...net().nodes.keys()]).map(
          (id) => `${id}: ${net().node(id).applied.join(",") || "(none)"}`,
        );
      case "log":
        return net().node(args[0]!).log.map(formatEntry);
      case "events": {
        const node = net().node(args[0]!);
        const from = this.eventCursor.get(node.id) ?? 0;
        this.eventCursor.set(node.id, node.events.length);
        return node.events.slice(from).map(formatEvent);
      }
      case "isolate":
        net().isolate(args[0]!);
        return [];
      case "cut":
        net().cutLink(args[0]!, args[1]!);
        return [];
      case "heal":
        net().heal();
        return [];
      case "crash":
        net().crash(args[0]!);
        return [];
      case "restart":
        net().restart(args[0]!);
        return [];
      case "add-node":
        net().add(args[0]!);
        return [];
      case "snapshot": {
        const meta = net()
          .node(args[0]!)
          .takeSnapshot(Number(args[1] ?? 0));
        return [meta ? `snapshot index=${meta.index} term=${meta.term}` : "no snapshot"];
      }
      default:
        throw new Error(`unknown command: ${command}`);
    }
  }
}

function formatEntry(e: LogEntry): string {
  const body = e.type === "command" ? ` ${dec.decode(e.data)}` : "";
  return `${e.index}@${e.term} ${e.type}${body}`;
}

function formatEvent(e: RaftEvent): string {
  switch (e.type) {
    case "leaderChange":
      return `leaderChange ${e.leader ?? "none"} term=${e.term}`;
    case "roleChange":
      return `roleChange ${e.role} term=${e.term}`;
    case "peerUnreachable":
      return `peerUnreachable ${e.peer}`;
    case "configurationChange":
      return `configurationChange index=${e.index} ${e.configuration.servers.map((s) => (s.suffrage === "voter" ? s.id : `${s.id}(nonvoter)`)).join(",")}`;
    case "readFailed":
      return `readFailed ${e.requestId} ${e.code}`;
    case "transferFailed":
      return `transferFailed ${e.target}`;
  }
}
