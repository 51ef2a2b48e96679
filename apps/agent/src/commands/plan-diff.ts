// Nomad's `job plan` diff rendering (command/job_plan.go), without colour codes.

export interface FieldDiff {
  Type: string;
  Name: string;
  Old: string;
  New: string;
  Annotations?: string[] | null;
}
export interface ObjectDiff {
  Type: string;
  Name: string;
  Fields?: FieldDiff[] | null;
  Objects?: ObjectDiff[] | null;
}
export interface TaskDiff {
  Type: string;
  Name: string;
  Fields?: FieldDiff[] | null;
  Objects?: ObjectDiff[] | null;
  Annotations?: string[] | null;
}
export interface TaskGroupDiff {
  Type: string;
  Name: string;
  Fields?: FieldDiff[] | null;
  Objects?: ObjectDiff[] | null;
  Tasks?: TaskDiff[] | null;
  Updates?: Record<string, number> | null;
}
export interface JobDiff {
  Type: string;
  ID: string;
  Fields?: FieldDiff[] | null;
  Objects?: ObjectDiff[] | null;
  TaskGroups?: TaskGroupDiff[] | null;
}

function marker(type: string): [string, number] {
  switch (type) {
    case "Added":
      return ["+ ", 2];
    case "Deleted":
      return ["- ", 2];
    case "Edited":
      return ["+/- ", 4];
    default:
      return ["", 0];
  }
}

const sp = (n: number): string => " ".repeat(Math.max(0, n));
const q = (s: string): string => JSON.stringify(s ?? "");

export function formatJobDiff(job: JobDiff, verbose: boolean): string {
  let out = `${marker(job.Type)[0]}Job: ${q(job.ID)}\n`;
  const [longestField, jobMarker] = longestPrefixes(job.Fields ?? [], job.Objects ?? []);
  let longestMarker = jobMarker;
  for (const tg of job.TaskGroups ?? []) longestMarker = Math.max(longestMarker, marker(tg.Type)[1]);
  if (job.Type === "Edited" || verbose) {
    const fo = alignedFieldAndObjects(job.Fields ?? [], job.Objects ?? [], 0, longestField, longestMarker);
    out += fo;
    if (fo.length > 0) out += "\n";
  }
  for (const tg of job.TaskGroups ?? []) {
    out += `${formatTaskGroupDiff(tg, longestMarker - marker(tg.Type)[1], verbose)}\n`;
  }
  return out;
}

function formatTaskGroupDiff(tg: TaskGroupDiff, tgPrefix: number, verbose: boolean): string {
  let out = `${marker(tg.Type)[0]}${sp(tgPrefix)}Task Group: ${q(tg.Name)}`;
  const updates = tg.Updates ?? {};
  const order = Object.keys(updates).sort();
  if (order.length > 0) out += ` (${order.map((u) => `${updates[u]} ${u}`).join(", ")})\n`;
  else out += "\n";
  const [longestField, tgMarker] = longestPrefixes(tg.Fields ?? [], tg.Objects ?? []);
  let longestMarker = tgMarker;
  for (const t of tg.Tasks ?? []) longestMarker = Math.max(longestMarker, marker(t.Type)[1]);
  const sub = tgPrefix + 2;
  if (tg.Type === "Edited" || verbose) {
    const fo = alignedFieldAndObjects(tg.Fields ?? [], tg.Objects ?? [], sub, longestField, longestMarker);
    out += fo;
    if (fo.length > 0) out += "\n";
  }
  for (const t of tg.Tasks ?? [])
    out += `${formatTaskDiff(t, sub, longestMarker - marker(t.Type)[1], verbose)}\n`;
  return out;
}

function formatTaskDiff(task: TaskDiff, start: number, taskPrefix: number, verbose: boolean): string {
  let out = `${sp(start)}${marker(task.Type)[0]}${sp(taskPrefix)}Task: ${q(task.Name)}`;
  if ((task.Annotations ?? []).length > 0) out += ` (${(task.Annotations ?? []).join(", ")})`;
  if (task.Type === "None") return out;
  if ((task.Type === "Deleted" || task.Type === "Added") && !verbose) return out;
  out += "\n";
  const [lf, lm] = longestPrefixes(task.Fields ?? [], task.Objects ?? []);
  out += alignedFieldAndObjects(task.Fields ?? [], task.Objects ?? [], start + 2, lf, lm);
  return out;
}

function formatObjectDiff(d: ObjectDiff, start: number, keyPrefix: number): string {
  const [m, mLen] = marker(d.Type);
  let out = `${sp(start)}${m}${sp(keyPrefix)}${d.Name} {\n`;
  const [lf, lm] = longestPrefixes(d.Fields ?? [], d.Objects ?? []);
  out += alignedFieldAndObjects(d.Fields ?? [], d.Objects ?? [], start + keyPrefix + 2, lf, lm);
  return `${out}\n${sp(start + mLen + keyPrefix)}}`;
}

function formatFieldDiff(d: FieldDiff, start: number, keyPrefix: number, valuePrefix: number): string {
  let out = `${sp(start)}${marker(d.Type)[0]}${sp(keyPrefix)}${d.Name}: ${sp(valuePrefix)}`;
  if (d.Type === "Added") out += q(d.New);
  else if (d.Type === "Deleted") out += q(d.Old);
  else if (d.Type === "Edited") out += `${q(d.Old)} => ${q(d.New)}`;
  else out += q(d.New);
  if ((d.Annotations ?? []).length > 0) out += ` (${(d.Annotations ?? []).join(", ")})`;
  return out;
}

function alignedFieldAndObjects(
  fields: readonly FieldDiff[],
  objects: readonly ObjectDiff[],
  start: number,
  longestField: number,
  longestMarker: number,
): string {
  let out = "";
  fields.forEach((f, i) => {
    out += formatFieldDiff(f, start, longestMarker - marker(f.Type)[1], longestField - f.Name.length);
    if (i + 1 !== fields.length || objects.length > 0) out += "\n";
  });
  objects.forEach((o, i) => {
    out += formatObjectDiff(o, start, longestMarker - marker(o.Type)[1]);
    if (i + 1 !== objects.length) out += "\n";
  });
  return out;
}

function longestPrefixes(fields: readonly FieldDiff[], objects: readonly ObjectDiff[]): [number, number] {
  let longestField = 0;
  let longestMarker = 0;
  for (const f of fields) {
    longestField = Math.max(longestField, f.Name.length);
    longestMarker = Math.max(longestMarker, marker(f.Type)[1]);
  }
  for (const o of objects) longestMarker = Math.max(longestMarker, marker(o.Type)[1]);
  return [longestField, longestMarker];
}
