import { hclPathOffset } from "./hcl-locate.js";

/**
 * hcl2json returns labelled blocks as JSON maps with sorted keys, so `group "web"` written
 * after `group "db"` would come back first. Nomad keeps file order (it shows in
 * `job inspect` and status output), so groups, tasks and ports are put back in the order
 * their headers appear in the text. Blocks whose header is not found keep their place at the end.
 */
type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

function sortBySource(text: string, items: unknown, pathOf: (item: Obj) => string): void {
  if (!Array.isArray(items)) return;
  const keyed = items.map((item: unknown, i) => ({
    item,
    at: isObj(item) ? (hclPathOffset(text, pathOf(item)) ?? Infinity) : Infinity,
    i,
  }));
  keyed.sort((a, b) => (a.at === b.at ? a.i - b.i : a.at - b.at));
  keyed.forEach((k, i) => (items[i] = k.item));
}

export function restoreSourceOrder(text: string, job: Obj): void {
  const jobPath = `job.${String(job["ID"])}`;
  const groups = job["TaskGroups"];
  sortBySource(text, groups, (g) => `${jobPath}.group.${String(g["Name"])}`);
  if (!Array.isArray(groups)) return;
  for (const g of groups) {
    if (!isObj(g)) continue;
    const groupPath = `${jobPath}.group.${String(g["Name"])}`;
    sortBySource(text, g["Tasks"], (t) => `${groupPath}.task.${String(t["Name"])}`);
    const networks = g["Networks"];
    if (!Array.isArray(networks)) continue;
    networks.forEach((n: unknown, ni) => {
      if (!isObj(n)) return;
      const portPath = (p: Obj): string => `${groupPath}.network[${ni}].port.${String(p["Label"])}`;
      sortBySource(text, n["ReservedPorts"], portPath);
      sortBySource(text, n["DynamicPorts"], portPath);
    });
  }
}
