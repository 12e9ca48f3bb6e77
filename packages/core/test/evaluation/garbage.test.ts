import { describe, expect, it } from 'vitest';

import { Generator } from '../support/generator.js';
import { LocalEvaluator } from '../support/switchyard.js';

/**
 * Evaluation never throws: valid flags with random fields replaced by random JSON of the wrong type
 * (at any depth), evaluated for random and broken contexts, always give a detail. Where the data is
 * garbage, the detail is the default value with an ERROR reason.
 */
function garbage(gen: Generator, depth = 0): unknown {
  const choices: (() => unknown)[] = [
    () => null,
    () => gen.int(5) - 2,
    () => 1.5,
    () => 'junk',
    () => gen.chance(0.5),
    () => [],
    () => ({}),
    () => (depth < 2 ? [garbage(gen, depth + 1)] : []),
    () => (depth < 2 ? { variation: garbage(gen, depth + 1), key: garbage(gen, depth + 1) } : {}),
  ];
  return gen.pick(choices)();
}

function corrupt(gen: Generator, value: unknown, depth = 0): unknown {
  if (Array.isArray(value)) return value.map((v) => (gen.chance(0.15) ? garbage(gen) : corrupt(gen, v, depth + 1)));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      // Keep the envelope, or the item could not be stored at all (that path is tested in the model).
      if (depth === 0 && (k === 'key' || k === 'version')) out[k] = v;
      else out[k] = gen.chance(0.12) ? garbage(gen) : corrupt(gen, v, depth + 1);
    }
    return out;
  }
  return value;
}

describe('evaluation never throws', () => {
  it.each(Array.from({ length: 40 }, (_, i) => 5000 + i))('seed %i: corrupted flags and segments, random contexts', (seed) => {
    const gen = new Generator(seed);
    const valid = gen.data(15, 4);
    const data = {
      flags: Object.fromEntries(Object.entries(valid.flags).map(([k, f]) => [k, corrupt(gen, f) as Record<string, unknown>])),
      segments: Object.fromEntries(Object.entries(valid.segments).map(([k, s]) => [k, corrupt(gen, s) as Record<string, unknown>])),
    };
    const evaluator = new LocalEvaluator(data);
    let errors = 0;
    for (let c = 0; c < 30; c++) {
      const context = gen.chance(0.2) ? corrupt(gen, gen.context()) : gen.context();
      for (const key of Object.keys(data.flags)) {
        const detail = evaluator.detail(key, context, 'dflt');
        expect(['OFF', 'FALLTHROUGH', 'TARGET_MATCH', 'RULE_MATCH', 'PREREQUISITE_FAILED', 'ERROR']).toContain(detail.reason.kind);
        if (detail.reason.kind === 'ERROR') {
          errors++;
          expect(detail.value).toBe('dflt');
          expect(detail.variationIndex).toBeNull();
        }
      }
    }
    // The corruption must actually bite, or this proves nothing.
    expect(errors).toBeGreaterThan(0);
  });
});
