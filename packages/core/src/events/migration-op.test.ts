import { afterEach, describe, expect, it } from 'vitest';

import { Context } from '../context/context.js';
import { parseFlag } from '../model/flag.js';
import { CapturingLogger } from '../testing/capturing-logger.js';
import { MemorySender } from './memory-sender.test-support.js';
import type { MigrationOpEvent } from './migration-op.js';
import { DefaultEventProcessor, type DefaultEventProcessorOptions } from './processor.js';

const open: DefaultEventProcessor[] = [];

function setup(options: Partial<DefaultEventProcessorOptions> = {}) {
  const sender = new MemorySender();
  const processor = new DefaultEventProcessor({ sender, logger: new CapturingLogger(), flushIntervalMs: 3_600_000, ...options });
  open.push(processor);
  return { sender, processor };
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((p) => p.close()));
});

const op = (overrides: Partial<MigrationOpEvent> = {}): MigrationOpEvent => ({
  context: Context.from({ kind: 'user', key: 'u1', email: 'e@example.com' }),
  operation: 'read',
  creationDate: 1000,
  evaluation: { key: 'm', value: 'live', default: 'off', reason: { kind: 'FALLTHROUGH' }, variation: 3, version: 2 },
  measurements: [
    { key: 'invoked', values: { old: true, new: true } },
    { key: 'latency_ms', values: { old: 1.5, new: 2 } },
  ],
  samplingRatio: 1,
  ...overrides,
});

describe('migration_op events', () => {
  it('are sent as recorded, with the context redacted and no index or summary event of their own', async () => {
    const { sender, processor } = setup({ privateAttributes: ['email'] });
    processor.recordMigrationOp(op());
    await processor.flush();
    expect(sender.events()).toEqual([
      {
        kind: 'migration_op',
        operation: 'read',
        creationDate: 1000,
        context: { kind: 'user', key: 'u1', _meta: { redactedAttributes: ['email'] } },
        evaluation: { key: 'm', value: 'live', default: 'off', reason: { kind: 'FALLTHROUGH' }, variation: 3, version: 2 },
        measurements: [
          { key: 'invoked', values: { old: true, new: true } },
          { key: 'latency_ms', values: { old: 1.5, new: 2 } },
        ],
      },
    ]);
  });

  it('redact anonymous contexts as custom events do, and send contextKeys when there is no context', async () => {
    const { sender, processor } = setup();
    processor.recordMigrationOp(op({ context: Context.from({ kind: 'user', key: 'a', anonymous: true, name: 'N' }) }));
    processor.recordMigrationOp(op({ context: undefined, contextKeys: { user: 'u1', org: 'o' } }));
    await processor.flush();
    const [anonymous, byKeys] = sender.events() as unknown as Record<string, unknown>[];
    expect(anonymous!.context).toEqual({ kind: 'user', key: 'a', anonymous: true, _meta: { redactedAttributes: ['name'] } });
    expect(byKeys).toMatchObject({ contextKeys: { user: 'u1', org: 'o' } });
    expect(byKeys).not.toHaveProperty('context');
  });

  it('are sampled one in samplingRatio, which is sent when it is not 1; 0 sends none', async () => {
    const draws = [0.9, 0.1];
    const { sender, processor } = setup({ random: () => draws.shift() ?? 0 });
    processor.recordMigrationOp(op({ samplingRatio: 0 }));
    processor.recordMigrationOp(op({ samplingRatio: 2 })); // 0.9 * 2 → 1: dropped
    processor.recordMigrationOp(op({ samplingRatio: 2 })); // 0.1 * 2 → 0: sent
    await processor.flush();
    expect(sender.events()).toHaveLength(1);
    expect(sender.events()[0]).toMatchObject({ kind: 'migration_op', samplingRatio: 2 });
  });

  it('forwarded by a cluster worker are sent as they are', async () => {
    const { sender, processor } = setup();
    const forwarded = { kind: 'migration_op', operation: 'write', creationDate: 5, contextKeys: { user: 'u' }, evaluation: op().evaluation, measurements: [] };
    processor.recordForwarded([forwarded]);
    await processor.flush();
    expect(sender.events()).toEqual([forwarded]);
  });
});

describe('the flag model', () => {
  it('reads migration.checkRatio leniently: a value of the wrong type is ignored, never malformed', () => {
    const base = { key: 'm', version: 1, on: true, variations: ['off'], fallthrough: { variation: 0 } };
    expect(parseFlag({ ...base, migration: { checkRatio: 5 } }).migration).toEqual({ checkRatio: 5 });
    expect(parseFlag({ ...base, migration: {} }).migration).toEqual({ checkRatio: undefined });
    expect(parseFlag(base).migration).toBeUndefined();
    const junk = parseFlag({ ...base, migration: 'junk' });
    expect(junk.migration).toBeUndefined();
    expect(junk.malformed).toBeUndefined();
    expect(parseFlag({ ...base, migration: { checkRatio: 'x' } }).migration).toEqual({ checkRatio: undefined });
  });
});
