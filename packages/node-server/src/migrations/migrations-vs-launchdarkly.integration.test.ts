// The same migration flags and the same migration calls (reads and writes at every stage, with a
// consistency check, failing origins, check ratios and sampling ratios, a flag whose value is not a
// stage, an unknown flag, direct tracker use and trackMigration) through Switchyard's client and through
// LaunchDarkly's Node SDK, each posting to its own fake events service: the payloads must be the same,
// migration_op events included, once dates and measured latencies are set aside.
import {
  createMigration as ldCreateMigration,
  init as ldInit,
  LDExecutionOrdering as LDOrdering,
  LDMigrationError as ldError,
  LDMigrationSuccess as ldSuccess,
  LDSerialExecution as LDSerial,
  type LDClient as LaunchDarklyClient,
} from '@launchdarkly/node-server-sdk';
import { TestData as LDTestData } from '@launchdarkly/node-server-sdk/integrations';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';

import { SwitchyardClient } from '../client/client.js';
import { eventProcessorFactory } from '../events/index.js';
import { endpoints, normalize as normalizeEvent, quiet, side, sortedSummaries, type Side } from '../events/vs-launchdarkly.test-support.js';
import { TestData } from '../integrations/index.js';
import { createMigration, LDMigrationError, LDMigrationSuccess } from './migration.js';
import { LDExecutionOrdering, LDSerialExecution, type LDMigrationOpEvent, type LDMigrationStage } from './types.js';

const STAGES = ['off', 'dualwrite', 'shadow', 'live', 'rampdown', 'complete', 'sideways'];
const stage = (s: string) => STAGES.indexOf(s);
const flag = (key: string, served: string, extra: Record<string, unknown> = {}) => ({
  key,
  version: 4,
  on: true,
  salt: 's',
  variations: STAGES,
  offVariation: 0,
  fallthrough: { variation: stage(served) },
  ...extra,
});

const FLAGS: Record<string, unknown>[] = [
  flag('mig-off', 'off', { trackEvents: true }),
  flag('mig-dual', 'dualwrite'),
  flag('mig-shadow', 'shadow', { trackEvents: true }),
  flag('mig-live', 'live', { migration: { checkRatio: 3 }, samplingRatio: 2 }),
  flag('mig-ramp', 'rampdown', { migration: { checkRatio: 0 } }),
  flag('mig-complete', 'complete', { migration: {} }),
  flag('mig-sideways', 'sideways', { trackEvents: true }),
  flag('mig-unsampled', 'shadow', { samplingRatio: 0, trackEvents: true }),
  flag('mig-off-switch', 'live', { on: false, offVariation: stage('dualwrite') }),
  flag('mig-rule', 'off', {
    rules: [{ id: 'gold', clauses: [{ contextKind: 'user', attribute: 'plan', op: 'in', values: ['gold'] }], variation: stage('live'), trackEvents: true }],
  }),
];
const KEYS = [...FLAGS.map((f) => String(f.key)), 'mig-missing'];

const CONTEXTS: unknown[] = [
  { kind: 'user', key: 'alice', plan: 'gold', email: 'a@example.com' },
  { kind: 'user', key: 'anon', anonymous: true, plan: 'gold', email: 'n@example.com' },
  { kind: 'multi', user: { key: 'bob', plan: 'free' }, org: { key: 'acme', name: 'Acme' } },
];

const OPTIONS = { diagnosticOptOut: true, flushInterval: 3600, privateAttributes: ['email'] };


/** What the scenario needs from either SDK: the client and its migration API. */
interface Sdk {
  client: {
    migrationVariation(key: string, context: never, defaultStage: never): Promise<{ value: string; tracker: { op(op: 'read'): void; invoked(o: 'old'): void; createEvent(): unknown } }>;
    trackMigration(event: never): void;
    flush(): Promise<void>;
  };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the same options go to two SDKs' createMigration
  createMigration(client: any, options: any): { read(...args: unknown[]): Promise<unknown>; write(...args: unknown[]): Promise<unknown> };
  success(value: unknown): unknown;
  error(err: Error): unknown;
  serialFixed: unknown;
}

/** Origins whose outcome depends only on the payload, so both runs see the same results. */
function options(sdk: Sdk, check: boolean) {
  const origin = (name: string) => async (payload?: string) => {
    if (payload === `throw-${name}`) throw new Error(`${name} threw`);
    if (payload === `fail-${name}`) return sdk.error(new Error(`${name} failed`));
    return sdk.success(payload === 'differs' ? `${name}-${payload}` : `same-${payload}`);
  };
  return {
    readOld: origin('old'),
    readNew: origin('new'),
    writeOld: origin('old'),
    writeNew: origin('new'),
    execution: sdk.serialFixed,
    ...(check ? { check: (a: unknown, b: unknown) => a === b } : {}),
  };
}

async function scenario(sdk: Sdk): Promise<void> {
  const checked = sdk.createMigration(sdk.client, options(sdk, true));
  const unchecked = sdk.createMigration(sdk.client, { ...options(sdk, false), latencyTracking: false, errorTracking: false });
  for (const context of CONTEXTS) {
    for (const key of KEYS) {
      for (const payload of ['x', 'differs', 'fail-new', 'throw-old']) {
        await checked.read(key, context, 'off', payload);
        await checked.write(key, context, 'shadow', payload);
      }
      await unchecked.read(key, context, 'live', 'fail-old');
      await unchecked.write(key, context, 'rampdown', 'fail-new');
    }
    // Direct use: a tracker without an operation makes no event; a complete one goes through trackMigration.
    const incomplete = await sdk.client.migrationVariation('mig-live', context as never, 'off' as never);
    incomplete.tracker.invoked('old');
    expect(incomplete.tracker.createEvent()).toBeUndefined();
    const direct = await sdk.client.migrationVariation('mig-dual', context as never, 'off' as never);
    direct.tracker.op('read');
    direct.tracker.invoked('old');
    sdk.client.trackMigration(direct.tracker.createEvent() as never);
  }
  // The deprecated contextKeys form, and events trackMigration refuses.
  const byKeys: LDMigrationOpEvent = {
    kind: 'migration_op',
    operation: 'write',
    creationDate: Date.now(),
    contextKeys: { user: 'legacy', org: 'acme' },
    evaluation: { key: 'mig-dual', value: 'dualwrite', default: 'off', reason: { kind: 'FALLTHROUGH' }, variation: 1, version: 4 },
    measurements: [{ key: 'invoked', values: { old: true, new: true } }, { key: 'latency_ms', values: { old: 1, new: 2 } }],
    samplingRatio: 1,
  };
  sdk.client.trackMigration(byKeys as never);
  sdk.client.trackMigration({ ...byKeys, contextKeys: { user: '' } } as never);
  sdk.client.trackMigration({ ...byKeys, operation: 'delete' } as never);
  await sdk.client.flush();
}

let ours: Side;
let theirs: Side;
let ourClient: SwitchyardClient;
let ldClient: LaunchDarklyClient;

beforeAll(async () => {
  // Sampling (check ratios, sampling ratios) and random read order draw from Math.random in both SDKs:
  // with 0, "1 in N" always samples, so a ratio other than 1 still gives the same events every run.
  vi.spyOn(Math, 'random').mockReturnValue(0);
  ours = await side();
  theirs = await side();
  const td = new TestData();
  const ldtd = new LDTestData();
  for (const f of FLAGS) {
    await td.usePreconfiguredFlag(f);
    await ldtd.usePreconfiguredFlag(f);
  }
  ourClient = new SwitchyardClient('sdk-key', { ...OPTIONS, ...endpoints(ours.server.url), updateProcessor: td.getFactory(), logger: quiet }, { eventProcessorFactory });
  ldClient = ldInit('sdk-key', { ...OPTIONS, ...endpoints(theirs.server.url), updateProcessor: ldtd.getFactory(), logger: quiet });
  ourClient.on('error', () => undefined);
  ldClient.on('error', () => undefined);
  await ourClient.waitForInitialization({ timeout: 10 });
  await ldClient.waitForInitialization({ timeout: 10 });
});

afterAll(async () => {
  vi.restoreAllMocks();
  await ourClient?.close();
  ldClient?.close();
  await ours?.server.close();
  await theirs?.server.close();
});

/** Dates vary between the runs, and so do measured latencies (kept: which origins have one). */
const normalize = (value: unknown) => normalizeEvent(value, true);

it("sends the same migration_op, feature, index and summary events as LaunchDarkly's Node SDK", async () => {
  await scenario({
    client: ourClient as unknown as Sdk['client'],
    createMigration,
    success: LDMigrationSuccess,
    error: LDMigrationError,
    serialFixed: new LDSerialExecution(LDExecutionOrdering.Fixed),
  });
  await scenario({
    client: ldClient as unknown as Sdk['client'],
    createMigration: ldCreateMigration,
    success: ldSuccess,
    error: ldError,
    serialFixed: new LDSerial(LDOrdering.Fixed),
  });

  const mine = ours.events.analyticsEvents();
  const theirsEvents = theirs.events.analyticsEvents();
  // In order: each call's index, feature and migration events come in the same sequence.
  const inOrder = (events: Record<string, unknown>[]) => events.filter((e) => e.kind !== 'summary').map((e) => JSON.stringify(normalize(e)));
  expect(inOrder(mine)).toEqual(inOrder(theirsEvents));
  expect(sortedSummaries(mine)).toEqual(sortedSummaries(theirsEvents));

  // The comparison covered what it should.
  const ops = mine.filter((e) => e.kind === 'migration_op') as unknown as LDMigrationOpEvent[];
  const measured = new Set(ops.flatMap((e) => e.measurements.map((m) => m.key)));
  expect(ops.length).toBeGreaterThan(300);
  expect([...measured].sort()).toEqual(['consistent', 'error', 'invoked', 'latency_ms']);
  expect(ops.some((e) => e.measurements.some((m) => m.key === 'consistent' && m.value === false))).toBe(true);
  expect(ops.some((e) => e.measurements.some((m) => m.key === 'consistent' && m.samplingRatio === 3))).toBe(true);
  expect(ops.some((e) => e.samplingRatio === 2)).toBe(true);
  expect(ops.some((e) => e.evaluation.key === 'mig-unsampled')).toBe(false);
  expect(ops.some((e) => e.evaluation.reason.errorKind === 'WRONG_TYPE')).toBe(true);
  expect(ops.some((e) => e.evaluation.reason.errorKind === 'FLAG_NOT_FOUND')).toBe(true);
  expect(ops.some((e) => e.contextKeys !== undefined)).toBe(true);
  expect(ops.some((e) => (e.context as { anonymous?: boolean } | undefined)?.anonymous === true)).toBe(true);
  expect(mine.some((e) => e.kind === 'feature' && e.key === 'mig-sideways' && e.value === 'sideways')).toBe(true);
  expect(mine.some((e) => e.kind === 'feature' && e.key === 'mig-rule')).toBe(true);
});

it('stage names and execution settings have the same values as LaunchDarkly exports', async () => {
  const ld = await import('@launchdarkly/node-server-sdk');
  const mod = await import('../index.js');
  expect({ ...mod.LDMigrationStage }).toEqual({ ...ld.LDMigrationStage });
  for (const [name, value] of Object.entries(mod.LDMigrationStage)) expect(ld.LDMigrationStage[name as keyof typeof ld.LDMigrationStage]).toBe(value as LDMigrationStage);
  expect(mod.LDExecutionOrdering.Fixed).toBe(ld.LDExecutionOrdering.Fixed);
  expect(mod.LDExecutionOrdering.Random).toBe(ld.LDExecutionOrdering.Random);
  expect(new mod.LDSerialExecution(mod.LDExecutionOrdering.Random)).toEqual({ ...new ld.LDSerialExecution(ld.LDExecutionOrdering.Random) });
  expect({ ...new mod.LDConcurrentExecution() }).toEqual({ ...new ld.LDConcurrentExecution() });
  expect(mod.LDConsistencyCheck).toEqual(Object.fromEntries(Object.entries(ld.LDConsistencyCheck).filter(([k]) => Number.isNaN(Number(k)))));
  expect(mod.LDMigrationSuccess(1)).toEqual(ld.LDMigrationSuccess(1));
  const err = new Error('e');
  expect(mod.LDMigrationError(err)).toEqual(ld.LDMigrationError(err));
  for (const value of [...Object.values(mod.LDMigrationStage), 'sideways']) expect(mod.IsMigrationStage(value)).toBe(ld.IsMigrationStage(value));
});
