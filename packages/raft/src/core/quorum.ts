// Majority arithmetic over the voters of the latest configuration.

export function quorumSize(voters: number): number {
  return Math.floor(voters / 2) + 1;
}

/**
 * The largest value that a majority of `values` is >= to (the commit index over match indexes,
 * the confirmed round over acknowledged rounds). Sorts `values` in place: callers pass a scratch array.
 */
export function quorumValue(values: number[]): number {
  if (values.length === 0) return 0;
  values.sort((a, b) => b - a);
  return values[quorumSize(values.length) - 1]!;
}
