/** A set of (namespace, job ID) pairs without building a composite string per lookup. */
export class JobSet {
  private readonly byNamespace = new Map<string, Set<string>>();
  private count = 0;

  add(namespace: string, jobID: string): void {
    let ids = this.byNamespace.get(namespace);
    if (ids === undefined) {
      ids = new Set();
      this.byNamespace.set(namespace, ids);
    }
    if (!ids.has(jobID)) {
      ids.add(jobID);
      this.count++;
    }
  }

  has(namespace: string, jobID: string): boolean {
    return this.count > 0 && (this.byNamespace.get(namespace)?.has(jobID) ?? false);
  }

  get size(): number {
    return this.count;
  }
}
