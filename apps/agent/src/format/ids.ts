/** IDs are shown with 8 characters unless -verbose asks for the full 36 (Nomad's shortId/fullId). */
export const SHORT_ID_LENGTH = 8;
export const FULL_ID_LENGTH = 36;

/** Nomad's `limit`: the first `length` characters. */
export function limit(s: string, length: number): string {
  return s.length < length ? s : s.slice(0, length);
}

/** Nomad's sanitizeUUIDPrefix: an odd-length UUID prefix loses its last character (the API wants whole bytes). */
export function sanitizeUUIDPrefix(prefix: string): string {
  const hyphens = (prefix.match(/-/g) ?? []).length;
  const length = prefix.length - hyphens;
  return length % 2 === 0 ? prefix : prefix.slice(0, -1);
}
