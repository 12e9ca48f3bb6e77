import { itemDependencies } from '@switchyard/core/internal';

/** `namespace` and `key` of a stored item in one string (NUL cannot occur in either). */
function id(namespace: string, key: string): string {
  return `${namespace}\0${key}`;
}

/** What an item depends on (see core's `itemDependencies`), as ids. */
export function dependenciesOf(namespace: string, item: unknown): string[] {
  return itemDependencies(namespace, item).map((d) => id(d.namespace, d.key));
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
