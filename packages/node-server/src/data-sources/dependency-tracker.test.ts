import { expect, it } from 'vitest';

import { DependencyTracker, affectedFlagKeys } from './dependency-tracker.js';

function affected(tracker: DependencyTracker, namespace: string, key: string): string[] {
  const set = new Set<string>();
  tracker.addAffected(namespace, key, set);
  return affectedFlagKeys(set).sort();
}

it('follows prerequisites, segmentMatch clauses and nested segments transitively', () => {
  const t = new DependencyTracker();
  t.update('segments', 'inner', { key: 'inner', version: 1 });
  t.update('segments', 'outer', { key: 'outer', version: 1, rules: [{ clauses: [{ op: 'segmentMatch', values: ['inner'] }] }] });
  t.update('features', 'a', { key: 'a', version: 1, rules: [{ clauses: [{ op: 'segmentMatch', values: ['outer'] }] }] });
  t.update('features', 'b', { key: 'b', version: 1, prerequisites: [{ key: 'a', variation: 0 }] });
  t.update('features', 'c', { key: 'c', version: 1 });
  expect(affected(t, 'segments', 'inner')).toEqual(['a', 'b']);
  expect(affected(t, 'features', 'a')).toEqual(['a', 'b']);
  expect(affected(t, 'features', 'c')).toEqual(['c']);
});

it('forgets old dependencies when an item changes, and survives cycles', () => {
  const t = new DependencyTracker();
  t.update('features', 'a', { key: 'a', version: 1, prerequisites: [{ key: 'b', variation: 0 }] });
  t.update('features', 'b', { key: 'b', version: 1, prerequisites: [{ key: 'a', variation: 0 }] });
  expect(affected(t, 'features', 'a')).toEqual(['a', 'b']);
  t.update('features', 'a', { key: 'a', version: 2 });
  expect(affected(t, 'features', 'b')).toEqual(['b']);
});

it('handles a 10 000-deep prerequisite chain without overflowing the stack', () => {
  const t = new DependencyTracker();
  for (let i = 1; i < 10_000; i++) t.update('features', `f${i}`, { key: `f${i}`, version: 1, prerequisites: [{ key: `f${i - 1}`, variation: 0 }] });
  expect(affected(t, 'features', 'f0')).toHaveLength(10_000);
});
