// unique.network.ip-address, NodeResources.Networks (addresses of the chosen interface)
// and NodeNetworks (every interface with an address), as Nomad builds them:
// - the interface is `network_interface`, else the one holding the default route;
// - link speed from /sys/class/net/<dev>/speed (Nomad also tries `ethtool`, which we may
//   not spawn), else `network_speed`, else 1000 Mbit/s;
// - link-local addresses only when the interface has nothing else;
// - CIDR of a NetworkResource is the single address (/32 or /128), as in Nomad.
// No default route and no configured interface is not an error: the node simply has no
// network to offer (a sandbox with only `lo`).

import type { Fingerprinter, NetworkResource, NodeNetworkAddress, NodeNetworkResource } from "../types.js";
import type { HostProbe, ProbeNetworkAddress } from "../probe/host-probe.js";
import { defaultRouteInterfaceV4, defaultRouteInterfaceV6 } from "../parse/proc-net-route.js";
import { byKey } from "../order.js";

/** Nomad's speed when the link speed cannot be read. */
export const DEFAULT_NETWORK_SPEED_MBITS = 1000;

function isLinkLocal(a: ProbeNetworkAddress): boolean {
  return a.family === "IPv4" ? a.address.startsWith("169.254.") : /^fe[89ab]/i.test(a.address);
}

/** Addresses Nomad would use: the routable ones, or the link-local ones when alone. */
function usableAddresses(addrs: ProbeNetworkAddress[]): ProbeNetworkAddress[] {
  const routable = addrs.filter((a) => !isLinkLocal(a));
  return routable.length > 0 ? routable : addrs;
}

async function linkSpeed(probe: HostProbe, device: string): Promise<number> {
  try {
    const n = Number((await probe.readText(`/sys/class/net/${device}/speed`)).trim().split("\n")[0]);
    // Virtual links report -1 (or refuse the read, handled above).
    return Number.isInteger(n) && n > 0 ? n : 0;
  } catch {
    return 0;
  }
}

async function defaultInterface(probe: HostProbe): Promise<string | undefined> {
  try {
    const v4 = defaultRouteInterfaceV4(await probe.readText("/proc/net/route"));
    if (v4 !== undefined) return v4;
  } catch {
    // An IPv6-only host has no IPv4 table worth reading; fall through.
  }
  try {
    return defaultRouteInterfaceV6(await probe.readText("/proc/net/ipv6_route"));
  } catch {
    return undefined;
  }
}

export const networkFingerprinter: Fingerprinter = {
  name: "network",
  periodicIntervalMs: null,
  async fingerprint({ probe, config }) {
    const interfaces = probe.networkInterfaces();
    const chosen = config.network_interface !== "" ? config.network_interface : await defaultInterface(probe);
    if (config.network_interface !== "" && interfaces[config.network_interface] === undefined) {
      // An explicit interface that does not exist is an operator error Nomad refuses too.
      throw new Error(`network_interface "${config.network_interface}" has no address on this host`);
    }

    const nodeNetworks: NodeNetworkResource[] = [];
    const speeds = new Map<string, number>();
    for (const [device, addrs] of Object.entries(interfaces).sort(byKey)) {
      const speed = await linkSpeed(probe, device);
      speeds.set(device, speed);
      const usable = usableAddresses(addrs);
      if (usable.length === 0) continue;
      const addresses: NodeNetworkAddress[] = usable.map((a) => ({
        Alias: device === chosen ? "default" : "",
        Address: a.address,
        Family: a.family === "IPv4" ? "ipv4" : "ipv6",
        ReservedPorts: "",
      }));
      nodeNetworks.push({
        Mode: "host",
        Device: device,
        MacAddress: addrs[0]?.mac ?? "",
        Speed: speed > 0 ? speed : DEFAULT_NETWORK_SPEED_MBITS,
        Addresses: addresses,
      });
    }

    if (chosen === undefined) {
      return {
        detected: false,
        reason: "no default route and no network_interface configured",
        attributes: {},
        resources: { networks: [], nodeNetworks },
      };
    }
    const detectedSpeed = speeds.get(chosen) ?? 0;
    const mbits =
      config.network_speed > 0
        ? config.network_speed
        : detectedSpeed > 0
          ? detectedSpeed
          : DEFAULT_NETWORK_SPEED_MBITS;
    const networks: NetworkResource[] = usableAddresses(interfaces[chosen] ?? []).map((a) => ({
      Mode: "host",
      Device: chosen,
      CIDR: `${a.address}/${a.family === "IPv4" ? 32 : 128}`,
      IP: a.address,
      MBits: mbits,
    }));
    const attributes: Record<string, string> = {};
    const first = networks[0];
    if (first !== undefined) attributes["unique.network.ip-address"] = first.IP;
    return { detected: networks.length > 0, attributes, resources: { networks, nodeNetworks } };
  },
};
