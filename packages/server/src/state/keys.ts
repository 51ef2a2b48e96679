// Composite keys of the sorted tables. NUL separates parts: IDs and namespaces never contain
// it, and it sorts before every other character, so `a\0` prefixes never match `ab\0...`.
export const SEP = "\u0000";

export const nsKey = (namespace: string, id: string): string => `${namespace}${SEP}${id}`;

export const key3 = (a: string, b: string, c: string): string => `${a}${SEP}${b}${SEP}${c}`;

/** Prefix of every key whose first part is `a` exactly. */
export const prefix1 = (a: string): string => `${a}${SEP}`;

export const prefix2 = (a: string, b: string): string => `${a}${SEP}${b}${SEP}`;

// Versions are zero-padded so string order is numeric order (Job.Version is a uint64 in Nomad;
// 15 digits is beyond any version a job reaches).
export const versionPart = (version: number): string => String(version).padStart(15, "0");
