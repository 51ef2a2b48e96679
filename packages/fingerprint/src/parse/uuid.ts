// UUID text forms. /etc/machine-id holds 32 hex digits; Nomad's host library (gopsutil)
// reports it in the 8-4-4-4-12 form, and so do we.

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Lower-cased UUID from a UUID or a 32-hex machine ID; undefined for anything else. */
export function asUuid(raw: string): string | undefined {
  const v = raw.trim().toLowerCase();
  if (UUID_PATTERN.test(v)) return v;
  if (/^[0-9a-f]{32}$/.test(v)) {
    return `${v.slice(0, 8)}-${v.slice(8, 12)}-${v.slice(12, 16)}-${v.slice(16, 20)}-${v.slice(20)}`;
  }
  return undefined;
}
