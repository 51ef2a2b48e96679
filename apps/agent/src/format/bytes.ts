const SIZES = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

/** go-humanize's IBytes: `300 MiB`, `1.5 GiB`, `8.0 GiB`, `9 B`. */
export function humanizeIBytes(bytes: number): string {
  const s = Math.max(0, Math.floor(bytes));
  if (s < 10) return `${s} B`;
  const e = Math.floor(Math.log(s) / Math.log(1024));
  const suffix = SIZES[e] ?? "EiB";
  const val = Math.floor((s / 1024 ** e) * 10 + 0.5) / 10;
  return val < 10 ? `${val.toFixed(1)} ${suffix}` : `${roundHalfEven(val)} ${suffix}`;
}

export const BYTES_PER_MEGABYTE = 1024 * 1024;

/** Go's `%.0f` rounds an exact half to even. */
function roundHalfEven(v: number): number {
  const floor = Math.floor(v);
  const diff = v - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}
