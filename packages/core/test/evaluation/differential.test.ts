import { describe, expect, it } from 'vitest';

import { Context, FlagsStateBuilder, PENDING } from '../../src/index.js';
import { Generator } from '../support/generator.js';
import { launchDarklyClient } from '../support/launchdarkly.js';
import { LocalEvaluator } from '../support/switchyard.js';

/**
 * Differential test against LaunchDarkly's own Node SDK: random valid flags, segments and contexts
 * from a seed, evaluated by both; value, variation index and reason must be identical for every flag
 * and context, and so must allFlagsState. A failure names the seed, so it can be replayed.
 */
// SWITCHYARD_DIFF_SEEDS=500 runs a longer search locally; CI runs 25.
const SEEDS = Array.from({ length: Number(process.env.SWITCHYARD_DIFF_SEEDS ?? 25) }, (_, i) => 1000 + i);
const FLAGS = 25;
const SEGMENTS = 6;
const CONTEXTS = 40;

const outcomes = new Set<string>();

describe('Switchyard and LaunchDarkly agree on random data', () => {
  it.each(SEEDS)('seed %i: every flag for every context, and allFlagsState', async (seed) => {
    const gen = new Generator(seed);
    const data = gen.data(FLAGS, SEGMENTS);
    const ours = new LocalEvaluator(data);
    const ld = await launchDarklyClient(data);
    try {
      let compared = 0;
      for (let c = 0; c < CONTEXTS; c++) {
        const context = gen.context();
        const defaultValue = gen.pick(['dflt', 0, null, false]);
        for (const key of Object.keys(data.flags)) {
          const theirs = await ld.variationDetail(key, context as never, defaultValue);
          const mine = ours.detail(key, context, defaultValue);
          if (JSON.stringify(mine) !== JSON.stringify(theirs)) {
            // toEqual gives the readable diff; the message says how to replay.
            expect(mine, `seed ${seed}, flag ${key}: ${JSON.stringify(data.flags[key])}\ncontext ${JSON.stringify(context)}`).toEqual(theirs);
          }
          outcomes.add(mine.reason.errorKind ?? (mine.reason.inExperiment ? `${mine.reason.kind}+experiment` : mine.reason.kind));
          compared++;
        }
        for (const options of [{ withReasons: true }, { clientSideOnly: true, detailsOnlyForTrackedFlags: true }]) {
          const theirState = (await ld.allFlagsState(context as never, options)).toJSON();
          const ctx = Context.from(context);
          const builder = new FlagsStateBuilder(ctx.valid, options);
          if (ctx.valid) {
            for (const flag of ours.flags.values()) {
              if (!builder.includes(flag)) continue;
              const result = ours.evaluator().evaluate(flag, ctx);
              if (result === PENDING) throw new Error('unexpected PENDING');
              builder.add(flag, result);
            }
          }
          expect(JSON.parse(JSON.stringify(builder.build())), `seed ${seed} allFlagsState ${JSON.stringify(options)}`).toEqual(
            JSON.parse(JSON.stringify(theirState)),
          );
        }
      }
      expect(compared).toBe(FLAGS * CONTEXTS);
    } finally {
      ld.close();
    }
  });

  it('reached every kind of outcome across the seeds (or the comparison would prove little)', () => {
    expect([...outcomes].sort()).toEqual([
      'FALLTHROUGH',
      'FALLTHROUGH+experiment',
      'OFF',
      'PREREQUISITE_FAILED',
      'RULE_MATCH',
      'RULE_MATCH+experiment',
      'TARGET_MATCH',
      'USER_NOT_SPECIFIED',
    ]);
  });
});
