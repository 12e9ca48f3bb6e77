/** `namespace` and `key` of a stored item in one string (NUL cannot occur in either). */
function id(namespace: string, key: string): string {
  return `${namespace}\0${key}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * What an item depends on, read from LaunchDarkly's JSON (which a parsed item keeps in `json`, and which
 * is also the shape of raw items): a flag's prerequisites (flags) and, for flags and segments, the
 * segments named by `segmentMatch` clauses. Malformed parts are skipped, never thrown on.
 */
export function dependenciesOf(namespace: string, item: unknown): string[] {
  const json = isRecord(item) && isRecord(item.json) ? item.json : item;
  const out: string[] = [];
  if (!isRecord(json) || json.deleted === true) return out;
  if (namespace === 'features' && Array.isArray(json.prerequisites)) {
    for (const p of json.prerequisites) if (isRecord(p) && typeof p.key === 'string') out.push(id('features', p.key));
  }
  if (Array.isArray(json.rules)) {
    for (const rule of json.rules) {
      if (!isRecord(rule) || !Array.isArray(rule.clauses)) continue;
      for (const clause of rule.clauses) {
        if (!isRecord(clause) || clause.op !== 'segmentMatch' || !Array.isArray(clause.values)) continue;
        for (const v of clause.values) if (typeof v === 'string') out.push(id('segments', v));
      }
    }
  }
  return out;
}

/**
 * The dependency graph of flags and segments (LaunchDarkly's `DependencyTracker`): which items depend on
 * which, so that a change to one item can be reported for every flag it affects, transitively
 * (prerequisites of prerequisites, segments nested in segments). Cycles are harmless.
 */
export class DependencyTracker {
  /** item → what it depends on */
  private readonly from = new Map<string, readonly string[]>();
  /** item → what depends on it */
  private readonly to = new Map<string, Set<string>>();

  /** Records the dependencies of one item, replacing what was recorded for it before. */
  update(namespace: string, key: string, item: unknown): void {
    const self = id(namespace, key);
    for (const dep of this.from.get(self) ?? []) this.to.get(dep)?.delete(self);
    const deps = dependenciesOf(namespace, item);
    if (deps.length === 0) {
      this.from.delete(self);
      return;
    }
    this.from.set(self, deps);
    for (const dep of deps) {
      let dependents = this.to.get(dep);
      if (!dependents) this.to.set(dep, (dependents = new Set()));
      dependents.add(self);
    }
  }

  /** Forgets everything (before a full data set is recorded). */
  reset(): void {
    this.from.clear();
    this.to.clear();
  }

  /**
   * Adds the item and everything that depends on it, transitively, to `into` (as `namespace\0key`).
   * Iterative, so a long prerequisite chain cannot overflow the stack.
   */
  addAffected(namespace: string, key: string, into: Set<string>): void {
    const stack = [id(namespace, key)];
    while (stack.length) {
      const next = stack.pop()!;
      if (into.has(next)) continue;
      into.add(next);
      for (const dependent of this.to.get(next) ?? []) if (!into.has(dependent)) stack.push(dependent);
    }
  }
}

/** The flag keys among affected items (`namespace\0key` strings from {@link DependencyTracker.addAffected}). */
export function affectedFlagKeys(affected: Set<string>): string[] {
  const keys: string[] = [];
  for (const entry of affected) if (entry.startsWith('features\0')) keys.push(entry.slice('features\0'.length));
  return keys;
}
