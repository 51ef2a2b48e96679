// Orders names (attributes, drivers, interfaces) by UTF-16 code unit, like Go's sort.Strings.
// Not String.prototype.localeCompare: its order depends on the process's locale, and its
// first call builds ICU collation tables, about 11 ms of a fresh process's first fingerprint.

export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Comparator for `Object.entries(...)` pairs, by key. */
export function byKey(x: readonly [string, unknown], y: readonly [string, unknown]): number {
  return compareNames(x[0], y[0]);
}
