import { createHmac } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { Context } from '../context/index.js';
import { parseFlag, parseSegment, type Flag, type Segment } from '../model/index.js';
import {
  evaluateAsync,
  Evaluator,
  FlagsStateBuilder,
  MAX_NESTING_DEPTH,
  PENDING,
  secureModeHash,
  toDetail,
  type BigSegmentLookup,
  type EvaluationResult,
} from './index.js';

const user = (key: string, attrs: Record<string, unknown> = {}) => Context.from({ kind: 'user', key, ...attrs });

function flag(key: string, json: Record<string, unknown>): Flag {
  return parseFlag({ key, version: 1, on: true, variations: [false, true], offVariation: 0, fallthrough: { variation: 1 }, ...json });
}

function evaluatorFor(flags: Flag[], segments: Segment[] = [], bigSegments?: (key: string) => BigSegmentLookup | typeof PENDING) {
  const f = new Map(flags.map((x) => [x.key, x]));
  const s = new Map(segments.map((x) => [x.key, x]));
  return new Evaluator({ flag: (k) => f.get(k), segment: (k) => s.get(k), ...(bigSegments ? { bigSegments } : {}) });
}

function run(e: Evaluator, f: Flag, c: Context): EvaluationResult {
  const r = e.evaluate(f, c);
  if (r === PENDING) throw new Error('pending');
  return r;
}

describe('Evaluator, prepared results', () => {
  it('gives the same frozen result object for the same flag, variation and reason, and a fresh one per flag version', () => {
    const f = flag('f', { rules: [{ id: 'r', clauses: [{ contextKind: 'user', attribute: 'plan', op: 'in', values: ['pro'] }], variation: 0 }] });
    const e = evaluatorFor([f]);
    const first = run(e, f, user('a', { plan: 'pro' }));
    expect(first).toMatchObject({ value: false, variationIndex: 0, reason: { kind: 'RULE_MATCH', ruleIndex: 0, ruleId: 'r' } });
    expect(run(e, f, user('b', { plan: 'pro' }))).toBe(first);
    expect(Object.isFrozen(first) && Object.isFrozen(first.reason)).toBe(true);
    expect(run(e, f, user('c', { plan: 'free' }))).toMatchObject({ value: true, reason: { kind: 'FALLTHROUGH' } });
    const next = flag('f', { version: 2, rules: f.json && (f.json as { rules: unknown }).rules });
    expect(run(e, next, user('a', { plan: 'pro' }))).not.toBe(first);
    expect(run(e, next, user('a', { plan: 'pro' }))).toEqual(first);
  });

  it('collects prerequisites only when asked to (record), with the same value and reason either way', () => {
    const pre = flag('pre', {});
    const main = flag('main', { prerequisites: [{ key: 'pre', variation: 1 }] });
    const e = evaluatorFor([pre, main]);
    const recorded = e.evaluate(main, user('u'));
    const bare = e.evaluate(main, user('u'), false);
    if (recorded === PENDING || bare === PENDING) throw new Error('pending');
    expect(recorded.prerequisites).toEqual(['pre']);
    expect(recorded.prerequisiteEvaluations).toHaveLength(1);
    expect(bare.prerequisites).toBeUndefined();
    expect(bare.prerequisiteEvaluations).toBeUndefined();
    expect({ value: bare.value, variationIndex: bare.variationIndex, reason: bare.reason }).toEqual({
      value: recorded.value,
      variationIndex: recorded.variationIndex,
      reason: recorded.reason,
    });
  });
});

describe('Evaluator', () => {
  it('evaluates a prerequisite chain as deep as the nesting limit', () => {
    const n = MAX_NESTING_DEPTH + 1;
    const flags = Array.from({ length: n }, (_, i) => flag(`f${i}`, i < n - 1 ? { prerequisites: [{ key: `f${i + 1}`, variation: 1 }] } : {}));
    const result = run(evaluatorFor(flags), flags[0]!, user('u'));
    expect(result.value).toBe(true);
    expect(result.prerequisiteEvaluations).toHaveLength(n - 1);
  });

  it('reports a chain deeper than the limit as malformed instead of overflowing', () => {
    const depth = 5_000; // far past what the stack could take without the nesting limit
    const flags = Array.from({ length: depth }, (_, i) => flag(`f${i}`, i < depth - 1 ? { prerequisites: [{ key: `f${i + 1}`, variation: 1 }] } : {}));
    expect(run(evaluatorFor(flags), flags[0]!, user('u')).reason).toEqual({ kind: 'ERROR', errorKind: 'MALFORMED_FLAG' });
  });

  it('reports deeply nested segments as malformed instead of overflowing', () => {
    const depth = 5_000; // far past what the stack could take without the nesting limit
    const segments = Array.from({ length: depth }, (_, i) =>
      parseSegment({ key: `s${i}`, version: 1, rules: i < depth - 1 ? [{ clauses: [{ attribute: 'key', op: 'segmentMatch', values: [`s${i + 1}`] }] }] : [], included: i === depth - 1 ? ['u'] : [] }),
    );
    const f = flag('f', { rules: [{ id: 'r', clauses: [{ attribute: 'key', op: 'segmentMatch', values: ['s0'] }], variation: 0 }] });
    expect(run(evaluatorFor([f], segments), f, user('u')).reason).toEqual({ kind: 'ERROR', errorKind: 'MALFORMED_FLAG' });
  });

  it('records every prerequisite evaluation for events and the direct ones for flag state', () => {
    const base = flag('base', {});
    const mid = flag('mid', { prerequisites: [{ key: 'base', variation: 1 }] });
    const top = flag('top', { prerequisites: [{ key: 'mid', variation: 1 }] });
    const result = run(evaluatorFor([base, mid, top]), top, user('u'));
    expect(result.prerequisites).toEqual(['mid']);
    expect(result.prerequisiteEvaluations?.map((p) => [p.flag.key, p.prerequisiteOf, p.variationIndex])).toEqual([
      ['base', 'mid', 1],
      ['mid', 'top', 1],
    ]);
  });

  it('evaluates a flag that is its own prerequisite once more, and reports it in prerequisites and events, as LaunchDarkly does', () => {
    const self = flag('self', { prerequisites: [{ key: 'self', variation: 1 }] });
    const result = run(evaluatorFor([self]), self, user('u'));
    expect(result.reason).toEqual({ kind: 'ERROR', errorKind: 'MALFORMED_FLAG' });
    expect(result.prerequisites).toEqual(['self']);
    expect(result.prerequisiteEvaluations!.map((p) => [p.flag.key, p.prerequisiteOf, p.reason.kind])).toEqual([['self', 'self', 'ERROR']]);
    // In allFlagsState too: LaunchDarkly lists the flag as its own prerequisite.
    const state = new FlagsStateBuilder(true);
    state.add(self, result);
    expect(state.build().toJSON().$flagsState).toEqual({ self: { version: 1, prerequisites: ['self'] } });

    const a = flag('a', { prerequisites: [{ key: 'b', variation: 1 }] });
    const b = flag('b', { prerequisites: [{ key: 'a', variation: 1 }] });
    const cycle = run(evaluatorFor([a, b]), a, user('u'));
    expect(cycle.prerequisites).toEqual(['b']);
    expect(cycle.prerequisiteEvaluations!.map((p) => `${p.flag.key}<-${p.prerequisiteOf}`)).toEqual(['a<-b', 'b<-a']);
  });

  it('goes on past a prerequisite cycle to the next prerequisite, which decides when it fails, as LaunchDarkly does', () => {
    const cyclic = (next: string) => flag('f', { offVariation: 1, prerequisites: [{ key: 'f', variation: 1 }, { key: next, variation: 1 }] });
    const passing = flag('passing', {});
    const failing = flag('failing', { on: false });
    // The cycle's error stands when the prerequisites after it pass...
    expect(run(evaluatorFor([cyclic('passing'), passing]), cyclic('passing'), user('u')).reason).toEqual({ kind: 'ERROR', errorKind: 'MALFORMED_FLAG' });
    // ...and a later failing (or missing) one decides: in the inner evaluation f serves its off variation 1,
    // which is what the outer evaluation requires of it, so the outer one also gets to `failing`.
    const withFailing = run(evaluatorFor([cyclic('failing'), failing]), cyclic('failing'), user('u'));
    expect(withFailing).toMatchObject({ value: true, variationIndex: 1, reason: { kind: 'PREREQUISITE_FAILED', prerequisiteKey: 'failing' } });
    expect(withFailing.prerequisites).toEqual(['f', 'failing']);
    expect(run(evaluatorFor([cyclic('missing')]), cyclic('missing'), user('u')).reason).toEqual({ kind: 'PREREQUISITE_FAILED', prerequisiteKey: 'missing' });
  });

  it('hands out frozen variation values that cannot be mutated into later evaluations', () => {
    const f = parseFlag({ key: 'j', version: 1, on: true, variations: [{ limits: { seats: 5 } }], fallthrough: { variation: 0 } });
    const e = evaluatorFor([f]);
    const value = run(e, f, user('u')).value as { limits: { seats: number } };
    expect(() => {
      value.limits.seats = 1000;
    }).toThrow(TypeError);
    expect(run(e, f, user('u')).value).toEqual({ limits: { seats: 5 } });
  });

  it('keeps parsed flags independent of the object they were parsed from', () => {
    const json = { key: 'j', version: 1, on: true, variations: [{ a: 1 }], fallthrough: { variation: 0 } };
    const f = parseFlag(json);
    (json.variations[0] as { a: number }).a = 2;
    json.on = false;
    expect(run(evaluatorFor([f]), f, user('u')).value).toEqual({ a: 1 });
  });

  it('stops with PENDING when a lookup cannot answer synchronously', () => {
    const top = flag('top', { prerequisites: [{ key: 'remote', variation: 1 }] });
    const e = new Evaluator({ flag: () => PENDING, segment: () => undefined });
    expect(e.evaluate(top, user('u'))).toBe(PENDING);
  });

  it('evaluateAsync fetches each missing item once and then evaluates synchronously', async () => {
    const remote = flag('remote', { rules: [{ id: 'r', clauses: [{ attribute: 'key', op: 'segmentMatch', values: ['seg'] }], variation: 1 }], fallthrough: { variation: 0 } });
    const seg = parseSegment({ key: 'seg', version: 1, included: ['u'] });
    const top = flag('top', { prerequisites: [{ key: 'remote', variation: 1 }] });
    const fetched: string[] = [];
    const result = await evaluateAsync(
      top,
      user('u'),
      { flag: () => PENDING, segment: () => PENDING },
      {
        flag: async (k) => (fetched.push(`flag:${k}`), k === 'remote' ? remote : undefined),
        segment: async (k) => (fetched.push(`segment:${k}`), k === 'seg' ? seg : undefined),
      },
    );
    expect(result.value).toBe(true);
    expect(fetched).toEqual(['flag:remote', 'segment:seg']);
  });

  describe('big segments', () => {
    const big = parseSegment({ key: 'big', version: 1, unbounded: true, generation: 2, rules: [{ clauses: [{ attribute: 'plan', op: 'in', values: ['pro'] }] }] });
    const f = flag('f', { rules: [{ id: 'r', clauses: [{ attribute: 'key', op: 'segmentMatch', values: ['big'] }], variation: 1 }], fallthrough: { variation: 0 } });

    it('uses the membership for the segment generation and reports the store status', () => {
      const e = evaluatorFor([f], [big], () => ({ membership: { 'big.g2': true }, status: 'STALE' }));
      expect(run(e, f, user('u')).reason).toEqual({ kind: 'RULE_MATCH', ruleIndex: 0, ruleId: 'r', bigSegmentsStatus: 'STALE' });
    });

    it('an explicit exclusion wins over matching rules', () => {
      const e = evaluatorFor([f], [big], () => ({ membership: { 'big.g2': false }, status: 'HEALTHY' }));
      expect(run(e, f, user('u', { plan: 'pro' })).reason).toEqual({ kind: 'FALLTHROUGH', bigSegmentsStatus: 'HEALTHY' });
    });

    it('falls back to the segment rules when the context is not listed', () => {
      const e = evaluatorFor([f], [big], () => ({ membership: { 'other.g1': true }, status: 'HEALTHY' }));
      expect(run(e, f, user('u', { plan: 'pro' })).value).toBe(true);
      expect(run(e, f, user('u', { plan: 'free' })).value).toBe(false);
    });

    it('reports NOT_CONFIGURED without a big-segment store', () => {
      expect(run(evaluatorFor([f], [big]), f, user('u')).reason.bigSegmentsStatus).toBe('NOT_CONFIGURED');
    });

    it('reports NOT_CONFIGURED for a big segment without a generation', () => {
      const noGen = parseSegment({ key: 'big', version: 1, unbounded: true });
      const e = evaluatorFor([f], [noGen], () => ({ membership: {}, status: 'HEALTHY' }));
      expect(run(e, f, user('u')).reason).toEqual({ kind: 'FALLTHROUGH', bigSegmentsStatus: 'NOT_CONFIGURED' });
    });

    it('queries membership once per evaluation however many big segments the flag uses', () => {
      const big2 = parseSegment({ key: 'big2', version: 1, unbounded: true, generation: 1 });
      const two = flag('two', {
        rules: [
          { id: 'a', clauses: [{ attribute: 'key', op: 'segmentMatch', values: ['big2'] }], variation: 1 },
          { id: 'b', clauses: [{ attribute: 'key', op: 'segmentMatch', values: ['big'] }], variation: 1 },
        ],
        fallthrough: { variation: 0 },
      });
      let queries = 0;
      const e = evaluatorFor([two], [big, big2], () => (queries++, { membership: { 'big.g2': true }, status: 'HEALTHY' }));
      expect(run(e, two, user('u')).reason.ruleId).toBe('b');
      expect(queries).toBe(1);
    });

    it('keeps the worst status seen during an evaluation', () => {
      const store = parseSegment({ key: 'other', version: 1, unbounded: true, unboundedContextKind: 'org', generation: 1 });
      const both = flag('both', {
        rules: [{ id: 'a', clauses: [{ attribute: 'key', op: 'segmentMatch', values: ['other', 'big'] }], variation: 1 }],
        fallthrough: { variation: 0 },
      });
      const e = evaluatorFor([both], [big, store], (key) => ({ membership: {}, status: key === 'o' ? 'STORE_ERROR' : 'STALE' }));
      const c = Context.from({ kind: 'multi', user: { key: 'u' }, org: { key: 'o' } });
      expect(run(e, both, c).reason.bigSegmentsStatus).toBe('STORE_ERROR');
    });

    it('evaluateAsync fetches the membership when it is not cached', async () => {
      const result = await evaluateAsync(
        f,
        user('u'),
        { flag: () => undefined, segment: (k) => (k === 'big' ? big : undefined), bigSegments: () => PENDING },
        { flag: async () => undefined, segment: async () => undefined, bigSegments: async () => ({ membership: { 'big.g2': true }, status: 'HEALTHY' }) },
      );
      expect(result.value).toBe(true);
      expect(result.reason.bigSegmentsStatus).toBe('HEALTHY');
    });
  });

  it('never throws even for an item that was not parsed into the model (raw JSON put in a store by hand)', () => {
    const raw = { key: 'raw', version: 1, on: true, variations: [1], targets: [{ values: ['u'], variation: 0 }], fallthrough: { variation: 0 } };
    const e = evaluatorFor([]);
    expect(run(e, raw as unknown as Flag, user('u')).reason).toEqual({ kind: 'ERROR', errorKind: 'MALFORMED_FLAG' });
  });

  it('never throws on a malformed flag; it is an error result', () => {
    const broken = parseFlag({ key: 'b', version: 3, on: true, variations: 'nope' });
    expect(broken.malformed).toMatch(/flag "b".variations must be an array/);
    const r = run(evaluatorFor([broken]), broken, user('u'));
    expect(toDetail(r, 'dflt')).toEqual({ value: 'dflt', variationIndex: null, reason: { kind: 'ERROR', errorKind: 'MALFORMED_FLAG' } });
  });
});

describe('secureModeHash', () => {
  it('is HMAC-SHA256 of the canonical key with the SDK key, in hex', () => {
    const context = { kind: 'multi', user: { key: 'u' }, org: { key: 'o:1' } };
    expect(secureModeHash('sdk-secret', context)).toBe(createHmac('sha256', 'sdk-secret').update('org:o%3A1:user:u').digest('hex'));
    expect(secureModeHash('sdk-secret', { key: 'legacy' })).toBe(createHmac('sha256', 'sdk-secret').update('legacy').digest('hex'));
  });

  it('throws a ConfigError for an invalid context, naming the problem', () => {
    expect(() => secureModeHash('k', { kind: 'user' })).toThrow(/secureModeHash: invalid context: .*key/);
  });
});

describe('FlagsStateBuilder', () => {
  it('produces LaunchDarkly’s bootstrap JSON', () => {
    const tracked = flag('tracked', { trackEvents: true, version: 4 });
    const quiet = flag('quiet', { version: 2 });
    const builder = new FlagsStateBuilder(true, { withReasons: true, detailsOnlyForTrackedFlags: true });
    const e = evaluatorFor([tracked, quiet]);
    for (const f of [tracked, quiet]) builder.add(f, run(e, f, user('u')));
    const state = builder.build();
    expect(state.toJSON()).toEqual({
      tracked: true,
      quiet: true,
      $flagsState: {
        tracked: { variation: 1, version: 4, reason: { kind: 'FALLTHROUGH' }, trackEvents: true },
        quiet: { variation: 1 },
      },
      $valid: true,
    });
    expect(state.getFlagReason('tracked')).toEqual({ kind: 'FALLTHROUGH' });
    expect(state.getFlagReason('quiet')).toBeNull();
    expect(Object.isFrozen(state.allValues())).toBe(true);
  });
});
