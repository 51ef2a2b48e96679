import type { Node, NodeListStub } from "@nomad/structs";
import { sanitizeUUIDPrefix } from "../format/ids.js";
import { CommandError, errText, formatNodeStubList, localNodeID, type CommandContext } from "./common.js";

/**
 * Resolves `-self` or an ID prefix to exactly one node, with Nomad's messages.
 * `errorPrefix` is the command's wording for query failures (`Error querying node info`).
 */
export async function resolveNode(
  ctx: CommandContext,
  arg: string | undefined,
  self: boolean,
  errorPrefix: string,
  notFound: (prefix: string) => string,
  verboseList: boolean,
): Promise<Node> {
  let nodeID = self ? await localNodeID(ctx) : (arg ?? "");
  if (nodeID.length === 1) throw new CommandError("Identifier must contain at least two characters.");
  nodeID = sanitizeUUIDPrefix(nodeID);
  let nodes: NodeListStub[];
  try {
    nodes = (await ctx.api.nodes.list({ prefix: nodeID })).value ?? [];
  } catch (err) {
    throw new CommandError(`${errorPrefix}: ${errText(err)}`);
  }
  if (nodes.length === 0) throw new CommandError(notFound(nodeID));
  if (nodes.length > 1) {
    throw new CommandError(`Prefix matched multiple nodes\n\n${formatNodeStubList(nodes, verboseList)}`);
  }
  try {
    return (await ctx.api.nodes.read(nodes[0]!.ID)).value;
  } catch (err) {
    throw new CommandError(`${errorPrefix}: ${errText(err)}`);
  }
}
