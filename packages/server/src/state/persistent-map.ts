// An immutable sorted map from string keys, as a persistent AVL tree with path copying.
//
// Why this structure: a snapshot must be O(1) and must never see later writes. With path
// copying a write allocates only the O(log n) nodes on the path to the key and shares the
// rest, so "taking a snapshot" is keeping a reference to the current root. Sorted keys give
// Nomad's memdb behaviours for free: ID order in lists, ID-prefix search, and secondary
// indexes as composite keys (`node\0alloc`) read with one prefix scan.

interface TreeNode<V> {
  readonly key: string;
  readonly value: V;
  readonly left: TreeNode<V> | null;
  readonly right: TreeNode<V> | null;
  readonly height: number;
  readonly size: number;
}

type Tree<V> = TreeNode<V> | null;

const height = <V>(t: Tree<V>): number => (t === null ? 0 : t.height);
const sizeOf = <V>(t: Tree<V>): number => (t === null ? 0 : t.size);

function make<V>(key: string, value: V, left: Tree<V>, right: Tree<V>): TreeNode<V> {
  return {
    key,
    value,
    left,
    right,
    height: Math.max(height(left), height(right)) + 1,
    size: sizeOf(left) + sizeOf(right) + 1,
  };
}

function balance<V>(key: string, value: V, left: Tree<V>, right: Tree<V>): TreeNode<V> {
  const hl = height(left);
  const hr = height(right);
  if (hl > hr + 1) {
    const l = left as TreeNode<V>;
    if (height(l.left) >= height(l.right))
      return make(l.key, l.value, l.left, make(key, value, l.right, right));
    const lr = l.right as TreeNode<V>;
    return make(lr.key, lr.value, make(l.key, l.value, l.left, lr.left), make(key, value, lr.right, right));
  }
  if (hr > hl + 1) {
    const r = right as TreeNode<V>;
    if (height(r.right) >= height(r.left))
      return make(r.key, r.value, make(key, value, left, r.left), r.right);
    const rl = r.left as TreeNode<V>;
    return make(rl.key, rl.value, make(key, value, left, rl.left), make(r.key, r.value, rl.right, r.right));
  }
  return make(key, value, left, right);
}

function insert<V>(t: Tree<V>, key: string, value: V): TreeNode<V> {
  if (t === null) return make(key, value, null, null);
  if (key < t.key) return balance(t.key, t.value, insert(t.left, key, value), t.right);
  if (key > t.key) return balance(t.key, t.value, t.left, insert(t.right, key, value));
  return make(key, value, t.left, t.right);
}

function removeMin<V>(t: TreeNode<V>): { min: TreeNode<V>; rest: Tree<V> } {
  if (t.left === null) return { min: t, rest: t.right };
  const { min, rest } = removeMin(t.left);
  return { min, rest: balance(t.key, t.value, rest, t.right) };
}

function remove<V>(t: Tree<V>, key: string): Tree<V> {
  if (t === null) return null;
  if (key < t.key) {
    const l = remove(t.left, key);
    return l === t.left ? t : balance(t.key, t.value, l, t.right);
  }
  if (key > t.key) {
    const r = remove(t.right, key);
    return r === t.right ? t : balance(t.key, t.value, t.left, r);
  }
  if (t.left === null) return t.right;
  if (t.right === null) return t.left;
  const { min, rest } = removeMin(t.right);
  return balance(min.key, min.value, t.left, rest);
}

function build<V>(entries: readonly (readonly [string, V])[], lo: number, hi: number): Tree<V> {
  if (lo >= hi) return null;
  const mid = (lo + hi) >>> 1;
  const [k, v] = entries[mid] as readonly [string, V];
  return make(k, v, build(entries, lo, mid), build(entries, mid + 1, hi));
}

/** Visits keys >= `from` in order until `visit` returns false. Returns false if stopped. */
function walkFrom<V>(t: Tree<V>, from: string, visit: (k: string, v: V) => boolean): boolean {
  if (t === null) return true;
  if (from <= t.key) {
    if (!walkFrom(t.left, from, visit)) return false;
    if (!visit(t.key, t.value)) return false;
  }
  return walkFrom(t.right, from, visit);
}

function walkAll<V>(t: Tree<V>, visit: (k: string, v: V) => void): void {
  if (t === null) return;
  walkAll(t.left, visit);
  visit(t.key, t.value);
  walkAll(t.right, visit);
}

export class PersistentMap<V> {
  private static readonly EMPTY = new PersistentMap<never>(null);

  private constructor(private readonly root: Tree<V>) {}

  static empty<V>(): PersistentMap<V> {
    return PersistentMap.EMPTY as PersistentMap<V>;
  }

  /** O(n) from entries that are already sorted by key with no duplicates. */
  static fromSorted<V>(entries: readonly (readonly [string, V])[]): PersistentMap<V> {
    for (let i = 1; i < entries.length; i++) {
      if ((entries[i - 1] as readonly [string, V])[0] >= (entries[i] as readonly [string, V])[0])
        throw new Error("PersistentMap.fromSorted: keys must be strictly increasing");
    }
    return new PersistentMap(build(entries, 0, entries.length));
  }

  /** Sorts (and de-duplicates, last wins) then builds. */
  static fromEntries<V>(entries: readonly (readonly [string, V])[]): PersistentMap<V> {
    const byKey = new Map<string, V>();
    for (const [k, v] of entries) byKey.set(k, v);
    const sorted = [...byKey.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return new PersistentMap(build(sorted, 0, sorted.length));
  }

  get size(): number {
    return sizeOf(this.root);
  }

  get(key: string): V | undefined {
    let t = this.root;
    while (t !== null) {
      if (key < t.key) t = t.left;
      else if (key > t.key) t = t.right;
      else return t.value;
    }
    return undefined;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  set(key: string, value: V): PersistentMap<V> {
    return new PersistentMap(insert(this.root, key, value));
  }

  delete(key: string): PersistentMap<V> {
    const r = remove(this.root, key);
    return r === this.root ? this : new PersistentMap(r);
  }

  /** Values in key order. */
  values(): V[] {
    const out: V[] = [];
    walkAll(this.root, (_k, v) => out.push(v));
    return out;
  }

  entries(): [string, V][] {
    const out: [string, V][] = [];
    walkAll(this.root, (k, v) => out.push([k, v]));
    return out;
  }

  /** Values whose key starts with `prefix`, in key order. */
  prefix(prefix: string): V[] {
    const out: V[] = [];
    walkFrom(this.root, prefix, (k, v) => {
      if (!k.startsWith(prefix)) return false;
      out.push(v);
      return true;
    });
    return out;
  }

  /** True when any key starts with `prefix`. */
  hasPrefix(prefix: string): boolean {
    let found = false;
    walkFrom(this.root, prefix, (k) => {
      found = k.startsWith(prefix);
      return false;
    });
    return found;
  }
}
