// What the leader does to the Raft peer set when gossip changes (reference/NOMAD.md §4.7):
// an alive server of our region joins Raft, a server that *left* is removed, a *failed* one
// stays until it returns or is forced out. Pure: the caller executes the actions one at a time.
import type { ServerParts } from "./server-parts.js";

export interface RaftPeer {
  readonly id: string;
  readonly address: string;
}

export type ReconcileAction =
  | { readonly type: "add"; readonly id: string; readonly address: string; readonly voter: boolean }
  | { readonly type: "remove"; readonly id: string; readonly reason: string };

export function reconcileActions(
  region: string,
  selfID: string,
  members: readonly ServerParts[],
  peers: readonly RaftPeer[],
): ReconcileAction[] {
  const actions: ReconcileAction[] = [];
  const byID = new Map(peers.map((p) => [p.id, p]));
  for (const m of members) {
    if (m.region !== region || m.id === selfID) continue;
    const peer = byID.get(m.id);
    if (m.status === "alive") {
      if (peer === undefined) actions.push({ type: "add", id: m.id, address: m.rpcAddr, voter: !m.nonVoter });
      else if (peer.address !== m.rpcAddr) {
        // Same server on a new address: Raft must forget the old one first.
        actions.push({ type: "remove", id: m.id, reason: "address changed" });
        actions.push({ type: "add", id: m.id, address: m.rpcAddr, voter: !m.nonVoter });
      }
    } else if (m.status === "left" && peer !== undefined) {
      actions.push({ type: "remove", id: m.id, reason: "left the cluster" });
    }
  }
  return actions;
}

/**
 * Nomad's bootstrap_expect: the servers to bootstrap Raft with once `expect` alive voters of our
 * region agree on the same expect value, or undefined while waiting (or when any member asks
 * for manual bootstrap or disagrees, which disables automatic bootstrap).
 */
export function bootstrapServers(
  region: string,
  expect: number,
  members: readonly ServerParts[],
): ServerParts[] | undefined {
  if (expect <= 0) return undefined;
  const voters = members.filter((m) => m.region === region && m.status === "alive" && !m.nonVoter);
  for (const m of voters) if (m.bootstrap || m.expect !== expect) return undefined;
  if (voters.length < expect) return undefined;
  return [...voters].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
