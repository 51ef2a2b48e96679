// What one node believes about every member, stored as columns (typed arrays indexed by a
// member id) instead of one object per member. A node of a 10,000-member pool holds 10,000
// beliefs, and a simulator running every member in one process holds 10^8: as objects in a
// Map that is ~35 GB, as columns ~3 GB. The name -> id registry (MemberIds) can be shared by
// every simulated member; a real node owns its own and recycles the ids it forgets.
import type { Address, NodeInfo, NodeStateName } from "./types.js";

/** State codes, as on the wire (push/pull's State field). */
export const ALIVE = 0;
export const SUSPECT = 1;
export const DEAD = 2;
export const LEFT = 3;
export const STATE_NAMES: readonly NodeStateName[] = ["alive", "suspect", "dead", "left"];

/** A member's identity as last advertised: immutable, shared by every table that holds it. */
export interface Identity {
  readonly name: string;
  readonly addr: Address;
  /** addr.host as wire bytes, kept to compare without formatting. */
  readonly addrBytes: Uint8Array;
  readonly meta: Uint8Array | null;
  readonly vsn: readonly number[];
  /** vsn as wire bytes (what push/pull sends). */
  readonly vsnBytes: Uint8Array;
}

/** Byte equality, null counting as empty (Go's nil and empty slices encode alike). */
export function bytesEqual(a: Uint8Array | null, b: Uint8Array | null): boolean {
  if (a === b) return true;
  const la = a === null ? 0 : a.length;
  const lb = b === null ? 0 : b.length;
  if (la !== lb) return false;
  if (la === 0 || a === null || b === null) return true;
  for (let i = 0; i < la; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Member names to small integer ids, and the latest identity seen per id. */
export class MemberIds {
  private readonly byName = new Map<string, number>();
  private readonly latest: (Identity | undefined)[] = [];
  private readonly free: number[] = [];

  /**
   * `shared`: several tables use this registry (a simulator), so ids are never recycled.
   * A registry owned by one table recycles the id of a member that table forgets.
   */
  constructor(readonly shared = false) {}

  /** One past the highest id handed out. */
  get capacity(): number {
    return this.latest.length;
  }

  lookup(name: string): number {
    return this.byName.get(name) ?? -1;
  }

  intern(name: string): number {
    const known = this.byName.get(name);
    if (known !== undefined) return known;
    const id = this.free.pop() ?? this.latest.length;
    if (id === this.latest.length) this.latest.push(undefined);
    this.byName.set(name, id);
    return id;
  }

  /** Called by the owning table when it forgets `id` (ignored when shared). */
  release(id: number, name: string): void {
    if (this.shared || this.byName.get(name) !== id) return;
    this.byName.delete(name);
    this.latest[id] = undefined;
    this.free.push(id);
  }

  /** The identity with these fields: the latest one for `id` when equal, else a new one. */
  identity(
    id: number,
    name: string,
    addr: Address,
    addrBytes: Uint8Array,
    meta: Uint8Array | null,
    vsn: readonly number[],
    vsnBytes: Uint8Array,
  ): Identity {
    const l = this.latest[id];
    if (
      l !== undefined &&
      l.name === name &&
      l.addr.port === addr.port &&
      bytesEqual(l.addrBytes, addrBytes) &&
      bytesEqual(l.meta, meta) &&
      bytesEqual(l.vsnBytes, vsnBytes)
    ) {
      return l;
    }
    const fresh: Identity = { name, addr, addrBytes, meta, vsn, vsnBytes };
    this.latest[id] = fresh;
    return fresh;
  }
}

/** A growable vector of ids (4 bytes each). */
export class IdVector {
  private data: Int32Array = new Int32Array(16);
  length = 0;

  get(i: number): number {
    return this.data[i] as number;
  }
  set(i: number, id: number): void {
    this.data[i] = id;
  }
  push(id: number): void {
    if (this.length === this.data.length) {
      const bigger = new Int32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = id;
  }
  swap(i: number, j: number): void {
    const t = this.data[i] as number;
    this.data[i] = this.data[j] as number;
    this.data[j] = t;
  }
  /** Keeps the ids passing `keep`, in order. */
  retain(keep: (id: number) => boolean): void {
    let w = 0;
    for (let r = 0; r < this.length; r++) {
      const id = this.data[r] as number;
      if (keep(id)) this.data[w++] = id;
    }
    this.length = w;
  }
  /** Replaces the contents (the vector takes the array). */
  assign(ids: Int32Array): void {
    this.data = ids.length === 0 ? new Int32Array(16) : ids;
    this.length = ids.length;
  }
}

/**
 * One node's beliefs: per known member its identity, incarnation, state and when the state
 * last changed. Iteration follows insertion order (as a Map's would), so replays do not
 * depend on how ids were numbered.
 */
export class MemberTable {
  private ident: (Identity | undefined)[] = [];
  private inc = new Uint32Array(0);
  private st = new Uint8Array(0);
  private changed = new Float64Array(0);
  /** Known ids in insertion order; forgotten ones are dropped lazily (see `compact`). */
  private readonly order = new IdVector();
  private orderDirty = false;
  private count = 0;
  private upCount = 0;

  constructor(readonly ids: MemberIds = new MemberIds()) {}

  /** Members known (any state). */
  get size(): number {
    return this.count;
  }
  /** Members held alive or suspect. */
  get up(): number {
    return this.upCount;
  }

  /** The id of `name` when this table knows it, else -1. */
  idOf(name: string): number {
    const id = this.ids.lookup(name);
    return id >= 0 && this.ident[id] !== undefined ? id : -1;
  }

  /** Adds `name` as dead at incarnation 0 (the caller then applies the claim that named it). */
  add(name: string, nowMs: number, identityOf: (id: number) => Identity): number {
    if (this.orderDirty) this.compact();
    const id = this.ids.intern(name);
    this.grow(id);
    this.ident[id] = identityOf(id);
    this.inc[id] = 0;
    this.st[id] = DEAD;
    this.changed[id] = nowMs;
    this.order.push(id);
    this.count++;
    return id;
  }

  remove(id: number): void {
    const n = this.ident[id];
    if (n === undefined) return;
    if (this.st[id] === ALIVE || this.st[id] === SUSPECT) this.upCount--;
    this.ident[id] = undefined;
    this.count--;
    this.orderDirty = true;
    this.ids.release(id, n.name);
  }

  /** Whether `id` is a member this table holds (in any state). */
  knows(id: number): boolean {
    return this.ident[id] !== undefined;
  }
  identity(id: number): Identity {
    return this.ident[id] as Identity;
  }
  setIdentity(id: number, identity: Identity): void {
    this.ident[id] = identity;
  }
  name(id: number): string {
    return (this.ident[id] as Identity).name;
  }
  incarnation(id: number): number {
    return this.inc[id] as number;
  }
  setIncarnation(id: number, incarnation: number): void {
    this.inc[id] = incarnation;
  }
  state(id: number): number {
    return this.st[id] as number;
  }
  stateName(id: number): NodeStateName {
    return STATE_NAMES[this.st[id] as number] as NodeStateName;
  }
  isUp(id: number): boolean {
    const s = this.st[id] as number;
    return s === ALIVE || s === SUSPECT;
  }
  stateChangeMs(id: number): number {
    return this.changed[id] as number;
  }
  /** Sets the state and its change time (callers call it only when the state changes). */
  setState(id: number, state: number, nowMs: number): void {
    const wasUp = this.isUp(id);
    this.st[id] = state;
    this.changed[id] = nowMs;
    const isUp = state === ALIVE || state === SUSPECT;
    if (wasUp !== isUp) this.upCount += isUp ? 1 : -1;
  }

  info(id: number): NodeInfo {
    const n = this.ident[id] as Identity;
    return {
      name: n.name,
      addr: n.addr,
      meta: n.meta,
      incarnation: this.inc[id] as number,
      state: this.stateName(id),
      vsn: n.vsn as number[],
      stateChangeMs: this.changed[id] as number,
    };
  }

  /** Calls `f` with each known id, in insertion order (f may remove the id it is given). */
  forEach(f: (id: number) => void): void {
    if (this.orderDirty) this.compact();
    const n = this.order.length;
    for (let i = 0; i < n; i++) {
      const id = this.order.get(i);
      if (this.ident[id] !== undefined) f(id);
    }
  }

  /** Known ids in insertion order, as a fresh array. */
  idList(): Int32Array {
    if (this.orderDirty) this.compact();
    const out = new Int32Array(this.count);
    let w = 0;
    for (let i = 0; i < this.order.length; i++) {
      const id = this.order.get(i);
      if (this.ident[id] !== undefined) out[w++] = id;
    }
    return out;
  }

  private compact(): void {
    this.order.retain((id) => this.ident[id] !== undefined);
    this.orderDirty = false;
  }

  private grow(id: number): void {
    while (this.ident.length <= id) this.ident.push(undefined);
    if (id < this.inc.length) return;
    const size = Math.max(16, this.inc.length * 2, id + 1, this.ids.capacity);
    const inc = new Uint32Array(size);
    inc.set(this.inc);
    this.inc = inc;
    const st = new Uint8Array(size);
    st.set(this.st);
    this.st = st;
    const changed = new Float64Array(size);
    changed.set(this.changed);
    this.changed = changed;
  }
}
