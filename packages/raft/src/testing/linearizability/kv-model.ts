// The key-value register model the simulator's clients exercise: get, put, delete and
// compare-and-set on string keys. Keys are independent, so the history is checked per key.
import type { History } from "./history.js";
import type { Model } from "./model.js";

export type KvInput =
  | { readonly op: "get"; readonly key: string }
  | { readonly op: "put"; readonly key: string; readonly value: string }
  | { readonly op: "delete"; readonly key: string }
  | { readonly op: "cas"; readonly key: string; readonly from: string | null; readonly to: string };

export type KvOutput =
  | { readonly op: "get"; readonly value: string | null }
  | { readonly op: "put" }
  | { readonly op: "delete" }
  | { readonly op: "cas"; readonly ok: boolean };

/** The value of one key; null = absent. */
export type KvState = string | null;

export const kvModel: Model<KvState, KvInput, KvOutput> = {
  init: () => null,

  step(state, input, output) {
    switch (input.op) {
      case "get":
        if (output === undefined) return state;
        return output.op === "get" && output.value === state ? state : undefined;
      case "put":
        if (output !== undefined && output.op !== "put") return undefined;
        return input.value;
      case "delete":
        if (output !== undefined && output.op !== "delete") return undefined;
        return null;
      case "cas": {
        const swaps = state === input.from;
        if (output === undefined) return swaps ? input.to : state;
        if (output.op !== "cas" || output.ok !== swaps) return undefined;
        return swaps ? input.to : state;
      }
    }
  },

  // A prefix keeps "absent" distinct from any string value.
  stateKey: (state) => (state === null ? "-" : "+" + state),

  partition(history) {
    const parts = new Map<string, History<KvInput, KvOutput>>();
    for (const op of history) {
      const part = parts.get(op.input.key) as KvOperationList | undefined;
      if (part === undefined) parts.set(op.input.key, [op]);
      else part.push(op);
    }
    return parts;
  },

  isReadOnly: (input) => input.op === "get",

  describe(input, output) {
    const result =
      output === undefined
        ? "?"
        : output.op === "get"
          ? JSON.stringify(output.value)
          : output.op === "cas"
            ? String(output.ok)
            : "ok";
    switch (input.op) {
      case "get":
        return `get(${input.key}) -> ${result}`;
      case "put":
        return `put(${input.key}, ${JSON.stringify(input.value)}) -> ${result}`;
      case "delete":
        return `delete(${input.key}) -> ${result}`;
      case "cas":
        return `cas(${input.key}, ${JSON.stringify(input.from)} => ${JSON.stringify(input.to)}) -> ${result}`;
    }
  },
};

type KvOperationList = History<KvInput, KvOutput>[number][];
