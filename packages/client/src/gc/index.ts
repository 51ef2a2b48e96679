// Client-side allocation garbage collection.
export {
  ClientGc,
  allocGcEligible,
  type ClientGcHost,
  type ClientGcOptions,
  type ClientGcRound,
  type ClientGcSettings,
  type GcAllocEntry,
} from "./client-gc.js";
export { statfsDiskUsage, type DiskUsage, type DiskUsageProbe } from "./disk-usage.js";
