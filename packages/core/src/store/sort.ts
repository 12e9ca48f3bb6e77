import { type DataKind, type VersionedItem, defaultDependencyKeys } from './data-kinds.js';
import type { FullDataSet } from './data-store.js';

/** One kind of a full data set, its items in write order. */
export interface SortedCollection<T extends VersionedItem = VersionedItem> {
  readonly kind: DataKind<T>;
  readonly items: readonly (readonly [key: string, item: T])[];
}

/**
 * Puts a full data set in the order non-atomic stores (DynamoDB, Consul) must write it: kinds by
 * ascending {@link DataKind.priority} (segments before flags), and within a kind every item after the
 * items it depends on (prerequisites before the flags that need them), so a reader of a half-written
 * store never finds a flag whose prerequisite or segment is missing.
 *
 * Every kind in `kinds` appears in the result, with no items when `data` lacks it; namespaces of `data`
 * that are not in `kinds` are left out. Cycles (which LaunchDarkly data can contain while an update is
 * half applied) do not fail: an item is marked visited before its dependencies are walked, so each
 * item is written once and the walk always ends. Dependencies on keys that are not in the data are
 * ignored. Otherwise the order of `data` is kept.
 */
export function sortDataSet(data: FullDataSet, kinds: readonly DataKind[]): SortedCollection[] {
  return [...kinds]
    .sort((a, b) => a.priority - b.priority)
    .map((kind) => ({ kind, items: sortItems(kind, data[kind.namespace] ?? {}) }));
}

function sortItems(kind: DataKind, items: Readonly<Record<string, VersionedItem>>): [string, VersionedItem][] {
  const out: [string, VersionedItem][] = [];
  const visited = new Set<string>();
  const dependencies = (item: VersionedItem): Iterable<string> =>
    kind.dependencyKeys ? kind.dependencyKeys(item) : defaultDependencyKeys(kind.namespace, item);

  // Iterative depth-first walk: a 10 000-deep prerequisite chain must not overflow the call stack.
  for (const start of Object.keys(items)) {
    if (visited.has(start)) continue;
    visited.add(start);
    const stack: { key: string; deps: Iterator<string> }[] = [{ key: start, deps: depsOf(start) }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const next = top.deps.next();
      if (next.done) {
        stack.pop();
        out.push([top.key, items[top.key]!]);
        continue;
      }
      const dep = next.value;
      if (visited.has(dep) || !Object.hasOwn(items, dep)) continue;
      visited.add(dep);
      stack.push({ key: dep, deps: depsOf(dep) });
    }
  }
  return out;

  function depsOf(key: string): Iterator<string> {
    return dependencies(items[key]!)[Symbol.iterator]();
  }
}
