// Turns a tcpdump capture of real serf agents on loopback into the hex fixtures the wire tests
// read: one line per UDP datagram, and one line per TCP connection direction (payloads
// reassembled in sequence order), so tests never need a pcap parser.
// Usage: tsx scripts/pcap-to-fixtures.ts capture.pcap out-dir
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";

const [, , pcapPath, outDir] = process.argv;
if (pcapPath === undefined || outDir === undefined) {
  console.error("usage: pcap-to-fixtures <capture.pcap> <out-dir>");
  process.exit(2);
}
const buf = readFileSync(pcapPath);
const linkType = buf.readUInt32LE(20);
const linkHeader = linkType === 1 ? 14 : linkType === 113 ? 16 : linkType === 0 ? 4 : -1;
if (linkHeader < 0) throw new Error(`unsupported link type ${linkType}`);

const udp: string[] = [];
const tcp = new Map<string, { seq: number; data: Buffer }[]>();
let off = 24;
while (off + 16 <= buf.length) {
  const incl = buf.readUInt32LE(off + 8);
  const frame = buf.subarray(off + 16, off + 16 + incl);
  off += 16 + incl;
  const ip = frame.subarray(linkHeader);
  if (ip[0] === undefined || ip[0] >> 4 !== 4) continue;
  const ihl = (ip[0] & 0x0f) * 4;
  const proto = ip[9];
  const totalLen = ip.readUInt16BE(2);
  const l4 = ip.subarray(ihl, totalLen);
  const sport = l4.readUInt16BE(0);
  const dport = l4.readUInt16BE(2);
  if (proto === 17) {
    udp.push(`${sport} ${dport} ${l4.subarray(8).toString("hex")}`);
  } else if (proto === 6) {
    const dataOff = ((l4[12] ?? 0) >> 4) * 4;
    const payload = l4.subarray(dataOff);
    if (payload.length === 0) continue;
    const key = `${sport} ${dport}`;
    const seq = l4.readUInt32BE(4);
    const list = tcp.get(key) ?? [];
    if (!list.some((p) => p.seq === seq)) list.push({ seq, data: Buffer.from(payload) });
    tcp.set(key, list);
  }
}
mkdirSync(outDir, { recursive: true });
writeFileSync(`${outDir}/udp.hex`, udp.join("\n") + "\n");
const tcpLines = [...tcp.entries()].map(([key, parts]) => {
  parts.sort((a, b) => a.seq - b.seq);
  return `${key} ${Buffer.concat(parts.map((p) => p.data)).toString("hex")}`;
});
writeFileSync(`${outDir}/tcp.hex`, tcpLines.join("\n") + "\n");
console.log(`udp ${udp.length} datagrams, tcp ${tcpLines.length} streams`);
