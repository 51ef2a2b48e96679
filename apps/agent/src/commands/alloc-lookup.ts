import type { Allocation, AllocListStub } from "@nomad/structs";
import { sanitizeUUIDPrefix } from "../format/ids.js";
import { CommandError, errText, formatAllocListStubs, type CommandContext } from "./common.js";

/** Resolves an allocation ID prefix to exactly one allocation, with Nomad's messages. */
export async function resolveAlloc(
  ctx: CommandContext,
  prefix: string,
  verbose: boolean,
  length: number,
  tooShort = "Identifier must contain at least two characters.",
): Promise<{ kind: "one"; alloc: Allocation } | { kind: "many"; text: string }> {
  if (prefix.length === 1) throw new CommandError(tooShort);
  const id = sanitizeUUIDPrefix(prefix);
  let stubs: AllocListStub[];
  try {
    stubs = (await ctx.api.allocations.list({ prefix: id })).value ?? [];
  } catch (err) {
    throw new CommandError(`Error querying allocation: ${errText(err)}`);
  }
  if (stubs.length === 0) throw new CommandError(`No allocation(s) with prefix or id "${id}" found`);
  if (stubs.length > 1) {
    return {
      kind: "many",
      text: `Prefix matched multiple allocations\n\n${formatAllocListStubs(stubs, verbose, length, ctx.deps.now())}`,
    };
  }
  const stub = stubs[0]!;
  try {
    return {
      kind: "one",
      alloc: (await ctx.api.allocations.read(stub.ID, { namespace: stub.Namespace })).value,
    };
  } catch (err) {
    throw new CommandError(`Error querying allocation: ${errText(err)}`);
  }
}
