import { describe, expect, it } from 'vitest';

import { CapturingLogger } from '@switchyard/core/testing';

import { MigrationOpTracker, sampled, type MigrationTrackerInit } from './tracker.js';

const context = { kind: 'user', key: 'u1' };
const reason = { kind: 'FALLTHROUGH' } as const;

function tracker(overrides: Partial<MigrationTrackerInit> = {}) {
  const logger = new CapturingLogger();
  const t = new MigrationOpTracker({
    flagKey: 'm',
    context,
    defaultStage: 'off',
    stage: 'shadow',
    reason,
    variation: 2,
    version: 7,
    logger,
    now: () => 1234,
    ...overrides,
  });
  return { t, logger };
}

describe('MigrationOpTracker', () => {
  it('makes an event with the evaluation and the measurements in LaunchDarkly order (invoked, consistent, latency, error)', () => {
    const { t } = tracker({ checkRatio: 1 });
    t.op('read');
    t.invoked('old');
    t.invoked('new');
    t.consistency(() => false);
    t.latency('old', 1.5);
    t.latency('new', 2);
    t.error('new');
    expect(t.createEvent()).toEqual({
      kind: 'migration_op',
      operation: 'read',
      creationDate: 1234,
      context,
      evaluation: { key: 'm', value: 'shadow', default: 'off', reason, variation: 2, version: 7 },
      measurements: [
        { key: 'invoked', values: { old: true, new: true } },
        { key: 'consistent', value: false, samplingRatio: 1 },
        { key: 'latency_ms', values: { old: 1.5, new: 2 } },
        { key: 'error', values: { new: true } },
      ],
      samplingRatio: 1,
    });
  });

  it('leaves out what was not measured, the variation and version when absent, and carries the sampling ratio', () => {
    const { t } = tracker({ variation: undefined, version: undefined, samplingRatio: 10 });
    t.op('write');
    t.invoked('new');
    expect(t.createEvent()).toMatchObject({
      evaluation: { key: 'm', value: 'shadow', default: 'off', reason },
      measurements: [{ key: 'invoked', values: { new: true } }],
      samplingRatio: 10,
    });
    expect(t.createEvent()!.evaluation).not.toHaveProperty('variation');
    expect(t.createEvent()!.evaluation).not.toHaveProperty('version');
  });

  it.each([
    ['no operation', (t: MigrationOpTracker) => t.invoked('old'), /set the operation/],
    ['nothing invoked', (t: MigrationOpTracker) => t.op('read'), /invoked neither/],
    [
      'a latency for an origin that did not run',
      (t: MigrationOpTracker) => {
        t.op('read');
        t.invoked('old');
        t.latency('new', 3);
      },
      /latency was measured for "new", but "new" was not invoked/,
    ],
    [
      'an error for an origin that did not run',
      (t: MigrationOpTracker) => {
        t.op('write');
        t.invoked('new');
        t.error('old');
      },
      /error was reported for "old"/,
    ],
    [
      'a consistency check with one origin',
      (t: MigrationOpTracker) => {
        t.op('read');
        t.invoked('old');
        t.consistency(() => true);
      },
      /consistency check/,
    ],
  ])('makes no event for %s, and logs an error instead of throwing', (_name, use, message) => {
    const { t, logger } = tracker();
    use(t);
    expect(t.createEvent()).toBeUndefined();
    expect(logger.messages('error').join('\n')).toMatch(message);
  });

  it('makes no event for an invalid context or flag key', () => {
    const a = tracker({ context: { kind: 'user', key: '' } });
    a.t.op('read');
    a.t.invoked('old');
    expect(a.t.createEvent()).toBeUndefined();
    const b = tracker({ flagKey: '' });
    b.t.op('read');
    b.t.invoked('old');
    expect(b.t.createEvent()).toBeUndefined();
  });

  it('runs no consistency check with checkRatio 0, and every time with checkRatio 1', () => {
    let calls = 0;
    const check = () => {
      calls++;
      return true;
    };
    const never = tracker({ checkRatio: 0 }).t;
    for (let i = 0; i < 50; i++) never.consistency(check);
    expect(calls).toBe(0);
    never.op('read');
    never.invoked('old');
    never.invoked('new');
    expect(never.createEvent()!.measurements.map((m) => m.key)).toEqual(['invoked']);

    const always = tracker({ checkRatio: 1 }).t;
    for (let i = 0; i < 50; i++) always.consistency(check);
    expect(calls).toBe(50);
  });

  it('samples checks one in checkRatio and reports the ratio with the result', () => {
    const draws = [0.9, 0.1];
    const { t } = tracker({ checkRatio: 2, random: () => draws.shift()! });
    t.consistency(() => true); // 0.9 * 2 → 1: not sampled
    t.op('read');
    t.invoked('old');
    t.invoked('new');
    expect(t.createEvent()!.measurements.find((m) => m.key === 'consistent')).toBeUndefined();
    t.consistency(() => true); // 0.1 * 2 → 0: sampled
    expect(t.createEvent()!.measurements).toContainEqual({ key: 'consistent', value: true, samplingRatio: 2 });
  });

  it('logs a check that throws and leaves the result out', () => {
    const { t, logger } = tracker();
    t.consistency(() => {
      throw new Error('boom');
    });
    t.op('read');
    t.invoked('old');
    t.invoked('new');
    expect(t.createEvent()!.measurements.map((m) => m.key)).toEqual(['invoked']);
    expect(logger.messages('error').join('\n')).toMatch(/consistency check of migration "m" threw \(boom\)/);
  });
});

describe('sampled', () => {
  it("follows LaunchDarkly's 1-in-N rule: N truncated, 1 always, 0 and below never", () => {
    expect(sampled(1, () => 0.99)).toBe(true);
    expect(sampled(1.9, () => 0.99)).toBe(true);
    expect(sampled(0, () => 0)).toBe(false);
    expect(sampled(-3, () => 0)).toBe(false);
    expect(sampled(Number.NaN, () => 0)).toBe(false);
    expect(sampled(4, () => 0.2)).toBe(true);
    expect(sampled(4, () => 0.3)).toBe(false);
  });
});
