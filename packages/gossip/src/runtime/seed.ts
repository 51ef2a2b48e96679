// Seeds for the cores' PRNGs. The randomness only decorrelates nodes (probe order, gossip
// targets, query ids), as memberlist's math/rand does; it guards nothing, so the clock, the
// pid and a counter mixed together are enough, and the process need not load node:crypto
// (~2 MiB of RSS) unless encryption is configured.
let counter = 0;

export function runtimeSeed(): number {
  let h = BigInt.asUintN(32, process.hrtime.bigint()) ^ BigInt(process.pid) ^ BigInt(++counter << 16);
  // splitmix-style finalizer so close inputs give unrelated seeds
  h = BigInt.asUintN(32, (h ^ (h >> 16n)) * 0x45d9f3bn);
  h = BigInt.asUintN(32, (h ^ (h >> 16n)) * 0x45d9f3bn);
  return Number(h ^ (h >> 16n));
}
