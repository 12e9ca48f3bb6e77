import { afterEach, describe, expect, it, vi } from 'vitest';

import type { EvaluationEvent, EventProcessor, MigrationOpEvent } from '@switchyard/core';
import { CapturingLogger } from '@switchyard/core/testing';

import { SwitchyardClient } from '../client/client.js';
import { TestData } from '../integrations/test-data.js';
import { createMigration, LDMigrationError, LDMigrationSuccess } from './migration.js';
import { LDConcurrentExecution, LDExecutionOrdering, LDMigrationStage, LDSerialExecution, type LDMigrationOptions, type LDMigrationStage as Stage } from './types.js';

const STAGES: Stage[] = ['off', 'dualwrite', 'shadow', 'live', 'rampdown', 'complete'];
const user = { kind: 'user', key: 'u1' };

class RecordingProcessor implements EventProcessor {
  readonly evaluations: EvaluationEvent[] = [];
  readonly migrations: MigrationOpEvent[] = [];
  recordEvaluation(e: EvaluationEvent) {
    this.evaluations.push(e);
  }
  recordUnknownFlag() {}
  recordCustom() {}
  recordIdentify() {}
  recordMigrationOp(e: MigrationOpEvent) {
    this.migrations.push(e);
  }
  flush() {
    return Promise.resolve();
  }
  close() {
    return Promise.resolve();
  }
}

/** A migration flag serving `stage` to everyone. */
function stageFlag(key: string, stage: string, extra: Record<string, unknown> = {}) {
  const variations: unknown[] = [...STAGES];
  if (!STAGES.includes(stage as Stage)) variations.push(stage);
  return { key, version: 3, on: true, variations, offVariation: 0, fallthrough: { variation: variations.indexOf(stage) }, ...extra };
}

async function setup(flags: Record<string, unknown>[] = STAGES.map((s) => stageFlag(s, s))) {
  const td = new TestData();
  for (const flag of flags) await td.usePreconfiguredFlag(flag);
  const processor = new RecordingProcessor();
  const logger = new CapturingLogger();
  const client = new SwitchyardClient('sdk-key', { updateProcessor: td, logger }, { eventProcessorFactory: () => processor });
  await client.waitForInitialization({ timeout: 5 });
  return { client, processor, logger, td };
}

/** Options whose methods log their calls and succeed with `<origin>-<payload>`, unless told to fail. */
function recordingOptions(log: string[], fail: { old?: boolean; new?: boolean } = {}): LDMigrationOptions<string, string, string, string> {
  const method = (name: string, origin: 'old' | 'new') => async (payload?: string) => {
    log.push(name);
    return fail[origin] ? LDMigrationError(new Error(`${name} failed`)) : LDMigrationSuccess(`${origin}-${payload}`);
  };
  return {
    readOld: method('readOld', 'old'),
    readNew: method('readNew', 'new'),
    writeOld: method('writeOld', 'old'),
    writeNew: method('writeNew', 'new'),
    execution: new LDSerialExecution(LDExecutionOrdering.Fixed),
  };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('reads by stage', () => {
  it.each([
    ['off', ['readOld'], 'old'],
    ['dualwrite', ['readOld'], 'old'],
    ['shadow', ['readOld', 'readNew'], 'old'],
    ['live', ['readOld', 'readNew'], 'new'],
    ['rampdown', ['readNew'], 'new'],
    ['complete', ['readNew'], 'new'],
  ] as const)('%s reads %j and returns the %s result', async (stage, calls, origin) => {
    const { client, processor } = await setup();
    const log: string[] = [];
    const result = await createMigration(client, recordingOptions(log)).read(stage, user, 'off', 'p');
    expect(log).toEqual(calls);
    expect(result).toEqual({ origin, success: true, result: `${origin}-p` });
    const [event] = processor.migrations;
    expect(event).toMatchObject({ operation: 'read', evaluation: { key: stage, value: stage, default: 'off', variation: STAGES.indexOf(stage), version: 3 } });
    expect(event!.measurements[0]).toEqual({ key: 'invoked', values: Object.fromEntries(calls.map((c) => [c === 'readOld' ? 'old' : 'new', true])) });
    await client.close();
  });
});

describe('writes by stage', () => {
  it.each([
    ['off', ['writeOld'], 'old', undefined],
    ['dualwrite', ['writeOld', 'writeNew'], 'old', 'new'],
    ['shadow', ['writeOld', 'writeNew'], 'old', 'new'],
    ['live', ['writeNew', 'writeOld'], 'new', 'old'],
    ['rampdown', ['writeNew', 'writeOld'], 'new', 'old'],
    ['complete', ['writeNew'], 'new', undefined],
  ] as const)('%s writes %j (authoritative %s)', async (stage, calls, authoritative, nonAuthoritative) => {
    const { client, processor } = await setup();
    const log: string[] = [];
    const result = await createMigration(client, recordingOptions(log)).write(stage, user, 'off', 'p');
    expect(log).toEqual(calls);
    expect(result.authoritative).toEqual({ origin: authoritative, success: true, result: `${authoritative}-p` });
    if (nonAuthoritative) expect(result.nonAuthoritative).toEqual({ origin: nonAuthoritative, success: true, result: `${nonAuthoritative}-p` });
    else expect(result).not.toHaveProperty('nonAuthoritative');
    expect(processor.migrations[0]).toMatchObject({ operation: 'write' });
    await client.close();
  });

  it.each(['dualwrite', 'shadow', 'live', 'rampdown'] as const)('%s stops after a failed authoritative write', async (stage) => {
    const { client, processor } = await setup();
    const log: string[] = [];
    const authoritative = stage === 'live' || stage === 'rampdown' ? 'new' : 'old';
    const result = await createMigration(client, recordingOptions(log, { [authoritative]: true })).write(stage, user, 'off');
    expect(log).toHaveLength(1);
    expect(result.authoritative).toMatchObject({ origin: authoritative, success: false, error: expect.any(Error) });
    expect(result).not.toHaveProperty('nonAuthoritative');
    expect(processor.migrations[0]!.measurements).toContainEqual({ key: 'error', values: { [authoritative]: true } });
    expect(processor.migrations[0]!.measurements[0]).toEqual({ key: 'invoked', values: { [authoritative]: true } });
    await client.close();
  });

  it('counts a method that throws or rejects as a failure, with the error it threw', async () => {
    const { client } = await setup();
    const boom = new Error('boom');
    const migration = createMigration(client, {
      ...recordingOptions([]),
      writeOld: () => {
        throw boom;
      },
      readNew: () => Promise.reject(boom),
    });
    expect((await migration.write('off', user, 'off')).authoritative).toEqual({ origin: 'old', success: false, error: boom });
    expect(await migration.read('complete', user, 'off')).toEqual({ origin: 'new', success: false, error: boom });
    await client.close();
  });
});

describe('execution of the two reads', () => {
  it('serial fixed runs old, then new, every time', async () => {
    const { client } = await setup();
    const log: string[] = [];
    const migration = createMigration(client, recordingOptions(log));
    for (let i = 0; i < 10; i++) await migration.read('live', user, 'off');
    expect(log).toEqual(Array.from({ length: 10 }, () => ['readOld', 'readNew']).flat());
    await client.close();
  });

  it('serial random runs both orders, one read completing before the other starts', async () => {
    const { client } = await setup();
    const log: string[] = [];
    const options = recordingOptions(log);
    const slow = (name: string, origin: string) => async () => {
      log.push(`start ${name}`);
      await new Promise((r) => setTimeout(r, 1));
      log.push(`end ${name}`);
      return LDMigrationSuccess(origin);
    };
    const migration = createMigration(client, {
      ...options,
      readOld: slow('old', 'old'),
      readNew: slow('new', 'new'),
      execution: new LDSerialExecution(LDExecutionOrdering.Random),
    });
    vi.spyOn(Math, 'random').mockReturnValue(0.1);
    await migration.read('shadow', user, 'off'); // 0.1 → old first
    const first = log.splice(0);
    vi.spyOn(Math, 'random').mockReturnValue(0.9);
    await migration.read('shadow', user, 'off'); // 0.9 → new first
    const second = log.splice(0);
    expect(first).toEqual(['start old', 'end old', 'start new', 'end new']);
    expect(second).toEqual(['start new', 'end new', 'start old', 'end old']);
    await client.close();
  });

  it('concurrent (the default) starts both reads before either completes', async () => {
    const { client } = await setup();
    const log: string[] = [];
    let releaseOld!: () => void;
    const oldGate = new Promise<void>((r) => (releaseOld = r));
    const migration = createMigration(client, {
      ...recordingOptions([]),
      execution: undefined,
      // "old" can finish only once "new" has started: serial execution would never get there.
      readOld: async () => {
        log.push('start old');
        await oldGate;
        log.push('end old');
        return LDMigrationSuccess('old');
      },
      readNew: async () => {
        log.push('start new');
        releaseOld();
        await new Promise((r) => setTimeout(r, 1));
        log.push('end new');
        return LDMigrationSuccess('new');
      },
    });
    expect(await migration.read('live', user, 'off')).toEqual({ origin: 'new', success: true, result: 'new' });
    expect(log.slice(0, 2)).toEqual(['start old', 'start new']);
    expect(log).toContain('end old');
    const explicit = createMigration(client, { ...recordingOptions([]), execution: new LDConcurrentExecution() });
    expect(await explicit.read('shadow', user, 'off')).toMatchObject({ origin: 'old', success: true });
    await client.close();
  });
});

describe('consistency checks', () => {
  it('compare the two results in shadow and live when both succeed', async () => {
    const { client, processor } = await setup();
    const check = vi.fn((a: string, b: string) => a === b);
    const migration = createMigration(client, { ...recordingOptions([]), check });
    await migration.read('shadow', user, 'off', 'x');
    await migration.read('live', user, 'off', 'x');
    await migration.read('off', user, 'off', 'x');
    await migration.read('complete', user, 'off', 'x');
    expect(check.mock.calls).toEqual([
      ['old-x', 'new-x'],
      ['old-x', 'new-x'],
    ]);
    expect(processor.migrations.map((e) => e.measurements.find((m) => m.key === 'consistent'))).toEqual([
      { key: 'consistent', value: false, samplingRatio: 1 },
      { key: 'consistent', value: false, samplingRatio: 1 },
      undefined,
      undefined,
    ]);
    await client.close();
  });

  it('are skipped when a read fails', async () => {
    const { client } = await setup();
    const check = vi.fn(() => true);
    await createMigration(client, { ...recordingOptions([], { new: true }), check }).read('shadow', user, 'off');
    expect(check).not.toHaveBeenCalled();
    await client.close();
  });

  it("follow the flag's migration.checkRatio: 0 never checks, N checks one in N and reports N", async () => {
    const { client, processor } = await setup([stageFlag('never', 'live', { migration: { checkRatio: 0 } }), stageFlag('some', 'live', { migration: { checkRatio: 3 } })]);
    const check = vi.fn(() => true);
    const migration = createMigration(client, { ...recordingOptions([]), check });
    for (let i = 0; i < 20; i++) await migration.read('never', user, 'off');
    expect(check).not.toHaveBeenCalled();
    vi.spyOn(Math, 'random').mockReturnValue(0.2); // 0.2 * 3 → 0: sampled
    await migration.read('some', user, 'off');
    vi.spyOn(Math, 'random').mockReturnValue(0.5); // 0.5 * 3 → 1: not sampled
    await migration.read('some', user, 'off');
    expect(check).toHaveBeenCalledTimes(1);
    expect(processor.migrations.slice(-2).map((e) => e.measurements.find((m) => m.key === 'consistent'))).toEqual([
      { key: 'consistent', value: true, samplingRatio: 3 },
      undefined,
    ]);
    await client.close();
  });
});

describe('latency and error measurements', () => {
  it('are present for each origin that ran, and absent when tracking is off', async () => {
    const { client, processor } = await setup();
    const on = createMigration(client, recordingOptions([], { new: true }));
    await on.read('live', user, 'off');
    const off = createMigration(client, { ...recordingOptions([], { new: true }), latencyTracking: false, errorTracking: false });
    await off.read('live', user, 'off');
    const [tracked, untracked] = processor.migrations;
    const latency = tracked!.measurements.find((m) => m.key === 'latency_ms') as { values: { old: number; new: number } };
    expect(latency.values.old).toBeGreaterThanOrEqual(0);
    expect(latency.values.new).toBeGreaterThanOrEqual(0);
    expect(tracked!.measurements).toContainEqual({ key: 'error', values: { new: true } });
    expect(untracked!.measurements).toEqual([{ key: 'invoked', values: { old: true, new: true } }]);
    await client.close();
  });

  it('time each origin: a slow origin has the larger latency', async () => {
    const { client, processor } = await setup();
    const migration = createMigration(client, {
      ...recordingOptions([]),
      readOld: async () => {
        await new Promise((r) => setTimeout(r, 30));
        return LDMigrationSuccess('old');
      },
    });
    await migration.read('shadow', user, 'off');
    const latency = processor.migrations[0]!.measurements.find((m) => m.key === 'latency_ms') as { values: { old: number; new: number } };
    expect(latency.values.old).toBeGreaterThan(latency.values.new);
    await client.close();
  });
});

describe('client.migrationVariation', () => {
  it('returns the stage and records the evaluation as variationDetail does (reason included)', async () => {
    const { client, processor } = await setup([stageFlag('m', 'live', { trackEvents: true, samplingRatio: 5, migration: { checkRatio: 4 } })]);
    const { value, tracker } = await client.migrationVariation('m', user, LDMigrationStage.Off);
    expect(value).toBe('live');
    expect(processor.evaluations).toHaveLength(1);
    expect(processor.evaluations[0]).toMatchObject({ value: 'live', variationIndex: 3, defaultValue: 'off', withReasons: true });
    tracker.op('read');
    tracker.invoked('old');
    expect(tracker.createEvent()).toMatchObject({ evaluation: { key: 'm', value: 'live', default: 'off', variation: 3, version: 3, reason: { kind: 'FALLTHROUGH' } }, samplingRatio: 5 });
    await client.close();
  });

  it('gives the default stage with WRONG_TYPE for a value that is not a stage, and emits error', async () => {
    const { client, processor } = await setup([stageFlag('bad', 'sideways')]);
    const errors: unknown[] = [];
    client.on('error', (e) => errors.push(e));
    const { value, tracker } = await client.migrationVariation('bad', user, 'shadow');
    expect(value).toBe('shadow');
    expect(errors).toHaveLength(1);
    // The analytics event keeps what the flag served, as LaunchDarkly's SDK records it.
    expect(processor.evaluations[0]).toMatchObject({ value: 'sideways', variationIndex: 6 });
    tracker.op('read');
    tracker.invoked('old');
    expect(tracker.createEvent()!.evaluation).toEqual({ key: 'bad', value: 'shadow', default: 'shadow', reason: { kind: 'ERROR', errorKind: 'WRONG_TYPE' }, version: 3 });
    await client.close();
  });

  it('gives the default stage for an unknown flag or an invalid context, never rejecting', async () => {
    const { client } = await setup([]);
    const unknown = await client.migrationVariation('nope', user, 'dualwrite');
    expect(unknown.value).toBe('dualwrite');
    unknown.tracker.op('write');
    unknown.tracker.invoked('old');
    expect(unknown.tracker.createEvent()!.evaluation).toEqual({ key: 'nope', value: 'dualwrite', default: 'dualwrite', reason: { kind: 'ERROR', errorKind: 'FLAG_NOT_FOUND' } });
    const invalid = await client.migrationVariation('nope', { kind: 'user', key: '' }, 'off');
    expect(invalid.value).toBe('off');
    invalid.tracker.op('read');
    invalid.tracker.invoked('old');
    expect(invalid.tracker.createEvent()).toBeUndefined();
    await client.close();
  });

  it('runs hooks with the method name and the detail it returns', async () => {
    const { client } = await setup([stageFlag('bad', 'sideways')]);
    client.on('error', () => undefined);
    const seen: unknown[] = [];
    client.addHook({
      getMetadata: () => ({ name: 'spy' }),
      afterEvaluation: (ctx, data, detail) => {
        seen.push([ctx.method, detail]);
        return data;
      },
    });
    await client.migrationVariation('bad', user, 'off');
    expect(seen).toEqual([['LDClient.migrationVariation', { value: 'off', variationIndex: null, reason: { kind: 'ERROR', errorKind: 'WRONG_TYPE' } }]]);
    await client.close();
  });

  it('a migration whose default stage is not a stage resolves with a failure and runs nothing', async () => {
    const { client, processor } = await setup([]);
    const log: string[] = [];
    const result = await createMigration(client, recordingOptions(log)).read('nope', user, 'bogus' as Stage);
    expect(result).toMatchObject({ success: false, error: expect.any(TypeError) });
    expect(log).toEqual([]);
    expect(processor.migrations).toEqual([]);
    await client.close();
  });
});

describe('client.trackMigration', () => {
  it('records a valid event with its context, and drops invalid ones with a warning', async () => {
    const { client, processor, logger } = await setup();
    const base = {
      kind: 'migration_op' as const,
      operation: 'read' as const,
      creationDate: 5,
      context: user,
      evaluation: { key: 'm', value: 'off' as const, default: 'off' as const, reason: { kind: 'OFF' as const }, variation: 0, version: 1 },
      measurements: [{ key: 'invoked' as const, values: { old: true } }, { key: 'bogus', values: {} } as never],
      samplingRatio: 1,
    };
    client.trackMigration(base);
    client.trackMigration({ ...base, operation: 'delete' as never });
    client.trackMigration({ ...base, context: { kind: 'user', key: '' } });
    client.trackMigration({ ...base, evaluation: { ...base.evaluation, key: '' } });
    client.trackMigration({ ...base, context: undefined, contextKeys: { user: 'u1' } });
    client.trackMigration(null as never);
    expect(processor.migrations).toHaveLength(2);
    expect(processor.migrations[0]).toMatchObject({ operation: 'read', measurements: [{ key: 'invoked', values: { old: true } }], samplingRatio: 1 });
    expect(processor.migrations[0]!.context?.canonicalKey).toBe('u1');
    expect(processor.migrations[1]).toMatchObject({ contextKeys: { user: 'u1' } });
    expect(logger.messages('warn').filter((m) => m.includes('trackMigration'))).toHaveLength(4);
    await client.close();
  });
});
