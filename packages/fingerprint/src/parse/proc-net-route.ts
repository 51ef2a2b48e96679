// Default-route interface from /proc/net/route (IPv4) and /proc/net/ipv6_route, the same
// answer `ip route` gives, read without spawning it.

const RTF_UP = 0x1;

/** Interface of the lowest-metric IPv4 default route that is up, or undefined. */
export function defaultRouteInterfaceV4(text: string): string | undefined {
  let best: { iface: string; metric: number } | undefined;
  for (const line of text.split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const [iface, dest, , flags, , , metric, mask] = f;
    if (dest !== "00000000" || mask !== "00000000" || iface === undefined) continue;
    if ((parseInt(flags ?? "0", 16) & RTF_UP) === 0) continue;
    const m = Number(metric);
    if (best === undefined || m < best.metric) best = { iface, metric: m };
  }
  return best?.iface;
}

/** Interface of an IPv6 default route (::/0, not via lo), or undefined. */
export function defaultRouteInterfaceV6(text: string): string | undefined {
  let best: { iface: string; metric: number } | undefined;
  for (const line of text.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const dest = f[0];
    const prefix = f[1];
    const metric = parseInt(f[5] ?? "0", 16);
    const flags = parseInt(f[8] ?? "0", 16);
    const iface = f[9];
    if (dest !== "0".repeat(32) || prefix !== "00" || iface === undefined || iface === "lo") continue;
    if ((flags & RTF_UP) === 0) continue;
    if (best === undefined || metric < best.metric) best = { iface, metric };
  }
  return best?.iface;
}
