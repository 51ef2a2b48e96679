// Nomad's scheduler-written DesiredDescription strings (reference/NOMAD.md 2.4).
export const ALLOC_NOT_NEEDED = "alloc not needed due to job update";
export const ALLOC_MIGRATING = "alloc is being migrated";
export const ALLOC_UPDATING = "alloc is being updated due to job update";
export const ALLOC_LOST = "alloc is lost since its node is down";
export const ALLOC_IN_PLACE = "alloc updating in-place";
export const ALLOC_NODE_TAINTED = "alloc not needed as node is tainted";
export const ALLOC_RESCHEDULED = "alloc was rescheduled because it failed";
