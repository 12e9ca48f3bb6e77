// The provider driven through OpenFeature's server SDK against real Switchyard clients with TestData (or a
// data source the test drives): every type, errors, metadata, reasons, events, tracking and shutdown.
import { ErrorCode, OpenFeature, ProviderEvents, ProviderStatus, type Client, type EvaluationContext } from '@openfeature/server-sdk';
import { ConfigError, TestData, init, type LDClient, type LDOptions } from '@switchyard/node-server';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { ERROR_CODES, FlagMetadataKeys, PROVIDER_NAME, SwitchyardProvider, errorCodeFor, standardReason, switchyardProviderDefaults } from '../src/index.js';
import { flagJson, recordEvents, recordingLogger, scriptedSource, until } from './support.js';

const user: EvaluationContext = { targetingKey: 'user-1', email: 'a@example.com' };
const clients: LDClient[] = [];
let domains = 0;

afterEach(async () => {
  await OpenFeature.clearProviders();
  for (const client of clients.splice(0)) await client.close();
});

function client(options: LDOptions = {}): LDClient {
  const c = init('sdk-test', { sendEvents: false, logger: recordingLogger(), ...options });
  clients.push(c);
  return c;
}

async function withTestData(flags: Record<string, unknown>[] = [], options: ConstructorParameters<typeof SwitchyardProvider>[1] = {}) {
  const td = new TestData();
  for (const flag of flags) await td.usePreconfiguredFlag(flag);
  const ld = client({ updateProcessor: td.getFactory() });
  const provider = new SwitchyardProvider(ld, options);
  const domain = `d${++domains}`;
  await OpenFeature.setProviderAndWait(domain, provider);
  return { td, ld, provider, of: OpenFeature.getClient(domain) as Client, domain };
}

describe('evaluation through OpenFeature', () => {
  it('resolves booleans, strings, numbers and objects with the variation index as variant, the LaunchDarkly reason and flag metadata', async () => {
    const { of } = await withTestData([
      flagJson('bool', [true, false]),
      flagJson('text', ['hi', 'bye'], { fallthrough: { variation: 1 } }),
      flagJson('count', [1, 10.5], { fallthrough: { variation: 1 } }),
      flagJson('shape', [{ a: [1, 2], b: { c: null } }, {}]),
      flagJson('list', [['x', 'y'], []]),
    ]);
    const bool = await of.getBooleanDetails('bool', false, user);
    expect(bool).toEqual({
      flagKey: 'bool',
      value: true,
      variant: '0',
      reason: 'FALLTHROUGH',
      flagMetadata: { flagVersion: 1, contextId: 'user-1', contextKinds: 'user', variationIndex: 0, ldReasonKind: 'FALLTHROUGH' },
    });
    expect(await of.getStringDetails('text', 'dflt', user)).toMatchObject({ value: 'bye', variant: '1', reason: 'FALLTHROUGH' });
    expect(await of.getNumberDetails('count', 0, user)).toMatchObject({ value: 10.5, variant: '1' });
    expect(await of.getObjectDetails('shape', {}, user)).toMatchObject({ value: { a: [1, 2], b: { c: null } }, variant: '0' });
    expect(await of.getObjectValue('list', [], user)).toEqual(['x', 'y']);
    expect(Object.values(FlagMetadataKeys)).toEqual(expect.arrayContaining(Object.keys(bool.flagMetadata)));
  });

  it('gives the default value with an error code and a useful message for each problem', async () => {
    const { of } = await withTestData([
      flagJson('text', ['hi', 'bye']),
      flagJson('bool', [true, false]),
      flagJson('count', [3]),
      flagJson('broken', [true, false], { fallthrough: { variation: 7 } }),
    ]);
    const notFound = await of.getStringDetails('nope', 'dflt', user);
    expect(notFound).toMatchObject({ value: 'dflt', reason: 'ERROR', errorCode: ErrorCode.FLAG_NOT_FOUND, errorMessage: expect.stringContaining('flag "nope" was not found') });
    expect(notFound.flagMetadata).toEqual({ contextId: 'user-1', contextKinds: 'user', ldReasonKind: 'ERROR', ldErrorKind: 'FLAG_NOT_FOUND' });

    const wrongBool = await of.getBooleanDetails('text', false, user);
    expect(wrongBool).toMatchObject({ value: false, reason: 'ERROR', errorCode: ErrorCode.TYPE_MISMATCH, errorMessage: expect.stringContaining('requested as a boolean') });
    expect(wrongBool.variant).toBeUndefined();
    expect(await of.getStringDetails('bool', 'x', user)).toMatchObject({ value: 'x', errorCode: ErrorCode.TYPE_MISMATCH });
    expect(await of.getNumberDetails('text', 9, user)).toMatchObject({ value: 9, errorCode: ErrorCode.TYPE_MISMATCH });
    expect(await of.getObjectDetails('count', { d: 1 }, user)).toMatchObject({
      value: { d: 1 },
      errorCode: ErrorCode.TYPE_MISMATCH,
      errorMessage: expect.stringContaining('is a number, not a JSON object or array'),
    });

    const noKey = await of.getBooleanDetails('bool', false, { email: 'nobody@example.com' });
    expect(noKey).toMatchObject({ value: false, errorCode: ErrorCode.TARGETING_KEY_MISSING, errorMessage: expect.stringContaining('must have a non-empty string key') });
    const badKind = await of.getBooleanDetails('bool', false, { targetingKey: 'k', kind: 'kind' });
    expect(badKind).toMatchObject({ errorCode: ErrorCode.TARGETING_KEY_MISSING, errorMessage: expect.stringContaining('kind') });

    expect(await of.getBooleanDetails('broken', false, user)).toMatchObject({ value: false, errorCode: ErrorCode.PARSE_ERROR, errorMessage: expect.stringContaining('malformed') });
  });

  it('answers PROVIDER_NOT_READY for a client without data (offline), without the SDK short-circuiting', async () => {
    const provider = new SwitchyardProvider(client({ offline: true }));
    await OpenFeature.setProviderAndWait('offline', provider);
    const of = OpenFeature.getClient('offline');
    expect(of.providerStatus).toBe(ProviderStatus.READY);
    expect(await of.getBooleanDetails('any', true, user)).toMatchObject({ value: true, errorCode: ErrorCode.PROVIDER_NOT_READY, errorMessage: expect.stringContaining('not initialized') });
  });

  it('maps every LaunchDarkly error kind', () => {
    expect(Object.fromEntries(['CLIENT_NOT_READY', 'MALFORMED_FLAG', 'FLAG_NOT_FOUND', 'WRONG_TYPE', 'USER_NOT_SPECIFIED', 'EXCEPTION', 'SOMETHING_NEW', undefined].map((k) => [String(k), errorCodeFor(k)]))).toEqual({
      CLIENT_NOT_READY: 'PROVIDER_NOT_READY',
      MALFORMED_FLAG: 'PARSE_ERROR',
      FLAG_NOT_FOUND: 'FLAG_NOT_FOUND',
      WRONG_TYPE: 'TYPE_MISMATCH',
      USER_NOT_SPECIFIED: 'TARGETING_KEY_MISSING',
      EXCEPTION: 'GENERAL',
      SOMETHING_NEW: 'GENERAL',
      undefined: 'GENERAL',
    });
    expect(Object.isFrozen(ERROR_CODES)).toBe(true);
    expect(errorCodeFor('toString')).toBe('GENERAL');
  });

  it('never throws: a context whose attribute throws when read gives GENERAL with the cause', async () => {
    const { of, provider } = await withTestData([flagJson('bool', [true, false])]);
    const hostile = { targetingKey: 'u' } as EvaluationContext;
    Object.defineProperty(hostile, 'secret', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    });
    const direct = await provider.resolveBooleanEvaluation('bool', false, hostile);
    expect(direct).toMatchObject({ value: false, reason: 'ERROR', errorCode: ErrorCode.GENERAL, errorMessage: expect.stringContaining('boom') });
    expect(() => provider.track('event', hostile, {})).not.toThrow();
    expect(await of.getBooleanValue('bool', false, user)).toBe(true);
  });

  it('serves the default without an error for an off flag with no off variation, whatever the requested type', async () => {
    const { of } = await withTestData([{ ...flagJson('off', [{ a: 1 }]), on: false, offVariation: undefined }]);
    expect(await of.getObjectDetails('off', null, user)).toMatchObject({ value: null, reason: 'OFF' });
    expect((await of.getObjectDetails('off', null, user)).variant).toBeUndefined();
  });
});

describe('reasons', () => {
  const rule = (id: string, attribute: string, value: string, variation: number) => ({
    id,
    variation,
    clauses: [{ contextKind: 'user', attribute, op: 'in', values: [value], negate: false }],
  });
  const flags = [
    { ...flagJson('off', ['a', 'b']), on: false },
    flagJson('target', ['a', 'b'], { targets: [{ values: ['user-1'], variation: 1 }] }),
    flagJson('rule', ['a', 'b'], { rules: [rule('r-email', 'email', 'a@example.com', 1)] }),
    flagJson('fall', ['a', 'b']),
    flagJson('experiment', ['a', 'b'], {
      fallthrough: { rollout: { kind: 'experiment', variations: [{ variation: 0, weight: 50000 }, { variation: 1, weight: 50000 }] } },
      trackEvents: false,
    }),
    flagJson('needs', ['a', 'b'], { prerequisites: [{ key: 'off', variation: 0 }] }),
  ];

  it('are LaunchDarkly’s reason kinds by default, with the rule and prerequisite in the metadata', async () => {
    const { of } = await withTestData(flags);
    const reasons = await Promise.all(['off', 'target', 'rule', 'fall', 'experiment', 'needs'].map((k) => of.getStringDetails(k, 'z', user)));
    expect(reasons.map((d) => d.reason)).toEqual(['OFF', 'TARGET_MATCH', 'RULE_MATCH', 'FALLTHROUGH', 'FALLTHROUGH', 'PREREQUISITE_FAILED']);
    expect(reasons[2]!.flagMetadata).toMatchObject({ ldReasonKind: 'RULE_MATCH', ldRuleIndex: 0, ldRuleId: 'r-email', variationIndex: 1 });
    expect(reasons[4]!.flagMetadata).toMatchObject({ ldInExperiment: true });
    expect(reasons[5]!.flagMetadata).toMatchObject({ ldReasonKind: 'PREREQUISITE_FAILED', ldPrerequisiteKey: 'off' });
  });

  it('are OpenFeature’s standard reasons with standardReasons: true, and the LaunchDarkly reason stays in the metadata', async () => {
    const { of } = await withTestData(flags, { standardReasons: true });
    const details = await Promise.all(['off', 'target', 'rule', 'fall', 'experiment', 'needs', 'missing'].map((k) => of.getStringDetails(k, 'z', user)));
    expect(details.map((d) => d.reason)).toEqual(['DISABLED', 'TARGETING_MATCH', 'TARGETING_MATCH', 'DEFAULT', 'SPLIT', 'TARGETING_MATCH', 'ERROR']);
    expect(details.map((d) => d.flagMetadata.ldReasonKind)).toEqual(['OFF', 'TARGET_MATCH', 'RULE_MATCH', 'FALLTHROUGH', 'FALLTHROUGH', 'PREREQUISITE_FAILED', 'ERROR']);
  });

  it('maps a rule in an experiment to SPLIT and an unknown kind to UNKNOWN', () => {
    expect(standardReason({ kind: 'RULE_MATCH', ruleIndex: 0, inExperiment: true })).toBe('SPLIT');
    expect(standardReason({ kind: 'SOMETHING' as never })).toBe('UNKNOWN');
    expect(standardReason(undefined)).toBe('UNKNOWN');
  });
});

describe('contexts', () => {
  it('evaluates multi-kind contexts, private attributes and nested values, with the canonical key as contextId', async () => {
    const { of } = await withTestData([
      flagJson('org-plan', [false, true], {
        rules: [{ id: 'r', variation: 1, clauses: [{ contextKind: 'org', attribute: '/billing/plan', op: 'in', values: ['pro'], negate: false }] }],
      }),
    ]);
    const multi: EvaluationContext = {
      kind: 'multi',
      org: { targetingKey: 'acme', billing: { plan: 'pro' }, privateAttributes: ['billing'] },
      user: { targetingKey: 'u1', anonymous: true },
    };
    const details = await of.getBooleanDetails('org-plan', false, multi);
    expect(details).toMatchObject({ value: true, reason: 'RULE_MATCH' });
    expect(details.flagMetadata).toMatchObject({ contextId: 'org:acme:user:u1', contextKinds: 'org,user' });
    expect((await of.getBooleanDetails('org-plan', false, { kind: 'org', key: 'acme', billing: { plan: 'free' } })).flagMetadata).toMatchObject({
      contextId: 'org:acme',
      contextKinds: 'org',
      ldReasonKind: 'FALLTHROUGH',
    });
  });

  it('logs each context problem once, as a warning, and goes on evaluating', async () => {
    const logger = recordingLogger();
    const { of } = await withTestData([flagJson('bool', [true, false])], { logger });
    for (let i = 0; i < 3; i++) expect(await of.getBooleanValue('bool', false, { targetingKey: 'a', key: 'b', name: 42 })).toBe(true);
    expect(logger.messages('warn')).toEqual([
      '[switchyard/openfeature] the evaluation context has both a targetingKey and a key attribute; the key attribute is ignored (logged once)',
      '[switchyard/openfeature] the attribute "name" must be a string; it is left out (logged once)',
    ]);
  });
});

describe('tracking', () => {
  it('sends track calls to client.track: value as the metric, the other details as data, the context translated', async () => {
    const { of, ld } = await withTestData();
    const track = vi.spyOn(ld, 'track');
    of.track('checkout', { targetingKey: 'u1', kind: 'org' }, { value: 99.5, currency: 'EUR', items: [1, 2] });
    of.track('visit', user);
    of.track('odd', user, { value: 'not a number' } as never);
    expect(track.mock.calls).toEqual([
      ['checkout', { kind: 'org', key: 'u1' }, { currency: 'EUR', items: [1, 2] }, 99.5],
      ['visit', { kind: 'user', key: 'user-1', email: 'a@example.com' }, undefined, undefined],
      ['odd', { kind: 'user', key: 'user-1', email: 'a@example.com' }, { value: 'not a number' }, undefined],
    ]);
  });
});

describe('provider events', () => {
  it('emits CONFIGURATION_CHANGED with the flag key for each update after the first data, not for the first data', async () => {
    const td = new TestData();
    await td.update(td.flag('a').variationForAll(true));
    const provider = new SwitchyardProvider(client({ updateProcessor: td.getFactory() }));
    const recorded = recordEvents(provider);
    await OpenFeature.setProviderAndWait('changes', provider);
    await td.update(td.flag('a').variationForAll(false));
    await td.update(td.flag('b').valueForAll('new'));
    await until(() => recorded.events.length >= 2, 'two change events');
    expect(recorded.events).toEqual([
      [ProviderEvents.ConfigurationChanged, { flagsChanged: ['a'] }],
      [ProviderEvents.ConfigurationChanged, { flagsChanged: ['b'] }],
    ]);
    expect(await OpenFeature.getClient('changes').getBooleanValue('a', true, user)).toBe(false);
  });

  it('turns the data source status into STALE, READY and ERROR, which OpenFeature reflects in the provider status', async () => {
    const source = scriptedSource();
    const provider = new SwitchyardProvider(client({ updateProcessor: source.factory }));
    const recorded = recordEvents(provider);
    const of = OpenFeature.getClient('status');
    const seen: string[] = [];
    for (const event of [ProviderEvents.Ready, ProviderEvents.Stale, ProviderEvents.Error]) of.addHandler(event, () => seen.push(`${event}:${of.providerStatus}`));
    const ready = OpenFeature.setProviderAndWait('status', provider);
    await source.started;
    await source.deliver({ f: flagJson('f', ['v1', 'v2']) });
    await ready;
    expect(of.providerStatus).toBe(ProviderStatus.READY);

    source.status('INTERRUPTED', { kind: 'NETWORK_ERROR', message: 'connection reset' });
    source.status('INTERRUPTED', { kind: 'NETWORK_ERROR', message: 'connection refused' });
    expect(of.providerStatus).toBe(ProviderStatus.STALE);
    // Stale still evaluates, from the last known data.
    expect(await of.getStringValue('f', 'dflt', user)).toBe('v1');
    source.status('VALID');
    expect(of.providerStatus).toBe(ProviderStatus.READY);
    source.fail(new Error('HTTP 401: the SDK key was revoked'));
    expect(of.providerStatus).toBe(ProviderStatus.ERROR);
    expect(await of.getStringValue('f', 'dflt', user)).toBe('v1');

    expect(recorded.events).toEqual([
      [ProviderEvents.Stale, { message: 'connection reset' }],
      [ProviderEvents.Ready, {}],
      [ProviderEvents.Error, { message: expect.stringContaining("data source stopped: HTTP 401: the SDK key was revoked; the last known flags are served") }],
    ]);
    await until(() => seen.length >= 4, 'the client handlers');
    expect(seen).toEqual(['PROVIDER_READY:READY', 'PROVIDER_STALE:STALE', 'PROVIDER_READY:READY', 'PROVIDER_ERROR:ERROR']);
  });
});

describe('initialization', () => {
  it('waits for the client’s first data', async () => {
    const source = scriptedSource();
    const provider = new SwitchyardProvider(client({ updateProcessor: source.factory }));
    let settled = false;
    const ready = OpenFeature.setProviderAndWait('slow', provider).then(() => (settled = true));
    await source.started;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(settled).toBe(false);
    expect(OpenFeature.getClient('slow').providerStatus).toBe(ProviderStatus.NOT_READY);
    expect(await OpenFeature.getClient('slow').getBooleanDetails('f', true, user)).toMatchObject({ value: true, errorCode: ErrorCode.PROVIDER_NOT_READY });
    await source.deliver({ f: flagJson('f', [false, true]) });
    await ready;
    expect(await OpenFeature.getClient('slow').getBooleanValue('f', true, user)).toBe(false);
  });

  it('reports ERROR after initTimeoutMs, then READY when the client gets its data', async () => {
    const source = scriptedSource();
    const provider = new SwitchyardProvider(client({ updateProcessor: source.factory }), { initTimeoutMs: 50 });
    const recorded = recordEvents(provider);
    await expect(OpenFeature.setProviderAndWait('late', provider)).rejects.toThrow(/did not initialize within 50 ms; it keeps trying/);
    const of = OpenFeature.getClient('late');
    expect(of.providerStatus).toBe(ProviderStatus.ERROR);
    await source.deliver({ f: flagJson('f', ['late']) });
    await until(() => of.providerStatus === ProviderStatus.READY, 'READY after the late data');
    expect(recorded.names()).toEqual([ProviderEvents.Ready]);
    expect(await of.getStringValue('f', 'dflt', user)).toBe('late');
  });

  it('reports FATAL when the client fails for good (a 401), and OpenFeature answers PROVIDER_FATAL', async () => {
    const source = scriptedSource();
    const provider = new SwitchyardProvider(client({ updateProcessor: source.factory }));
    const pending = OpenFeature.setProviderAndWait('fatal', provider);
    await source.started;
    source.fail(new Error('Authentication failed. Double check your SDK key. (HTTP 401)'));
    await expect(pending).rejects.toThrow(/failed to initialize: Authentication failed/);
    const of = OpenFeature.getClient('fatal');
    expect(of.providerStatus).toBe(ProviderStatus.FATAL);
    expect(await of.getBooleanDetails('f', true, user)).toMatchObject({ value: true, errorCode: ErrorCode.PROVIDER_FATAL });
  });

  it('reports FATAL for a client that cannot be created (an empty SDK key), and never throws from evaluation', async () => {
    const logger = recordingLogger();
    const provider = new SwitchyardProvider('', { logger });
    expect(provider.getClient()).toBeUndefined();
    await expect(OpenFeature.setProviderAndWait('nokey', provider)).rejects.toThrow(/could not be created: .*SDK key/);
    expect(OpenFeature.getClient('nokey').providerStatus).toBe(ProviderStatus.FATAL);
    expect(await provider.resolveStringEvaluation('f', 'd', user)).toMatchObject({ value: 'd', errorCode: ErrorCode.PROVIDER_FATAL });
    expect(logger.messages('error')).toEqual([expect.stringMatching(/^\[switchyard\/openfeature\] the Switchyard client could not be created/)]);
  });

  it('creates a client from an SDK key and client options, and is a server provider named switchyard-node-provider', async () => {
    const td = new TestData();
    await td.update(td.flag('f').valueForAll('from-created-client'));
    const provider = new SwitchyardProvider('sdk-created', { clientOptions: { updateProcessor: td.getFactory(), sendEvents: false, logger: recordingLogger() } });
    expect(provider.metadata).toEqual({ name: PROVIDER_NAME });
    expect(PROVIDER_NAME).toBe('switchyard-node-provider');
    expect(provider.runsOn).toBe('server');
    await OpenFeature.setProviderAndWait('created', provider);
    expect(await OpenFeature.getClient('created').getStringValue('f', 'd', user)).toBe('from-created-client');
  });
});

describe('shutdown', () => {
  it('closes a client the provider created', async () => {
    const td = new TestData();
    const provider = new SwitchyardProvider('sdk-created', { clientOptions: { updateProcessor: td.getFactory(), sendEvents: false, logger: recordingLogger() } });
    await OpenFeature.setProviderAndWait('close-created', provider);
    const created = provider.getClient()!;
    expect(created.dataSourceStatusProvider.getStatus().state).toBe('VALID');
    await OpenFeature.clearProviders();
    expect(created.dataSourceStatusProvider.getStatus().state).toBe('OFF');
  });

  it('leaves a given client open, flushed, and without the provider’s listeners', async () => {
    const td = new TestData();
    await td.update(td.flag('f').variationForAll(true));
    const ld = client({ updateProcessor: td.getFactory() });
    const before = { update: ld.listenerCount('update'), ready: ld.listenerCount('ready') };
    const provider = new SwitchyardProvider(ld);
    expect(ld.listenerCount('update')).toBe(before.update + 1);
    const recorded = recordEvents(provider);
    await OpenFeature.setProviderAndWait('close-given', provider);
    const flush = vi.spyOn(ld, 'flush');
    await OpenFeature.clearProviders();
    expect(flush).toHaveBeenCalledTimes(1);
    expect({ update: ld.listenerCount('update'), ready: ld.listenerCount('ready') }).toEqual(before);
    await td.update(td.flag('f').variationForAll(false));
    expect(await ld.boolVariation('f', { key: 'u' }, true)).toBe(false);
    expect(ld.dataSourceStatusProvider.getStatus().state).toBe('VALID');
    expect(recorded.events).toEqual([]);
  });

  it('closes a given client with closeClient: true', async () => {
    const td = new TestData();
    const ld = client({ updateProcessor: td.getFactory() });
    await OpenFeature.setProviderAndWait('close-option', new SwitchyardProvider(ld, { closeClient: true }));
    await OpenFeature.clearProviders();
    expect(ld.dataSourceStatusProvider.getStatus().state).toBe('OFF');
  });
});

describe('options', () => {
  it.each([
    [{ initTimeoutMs: 0 }, /option initTimeoutMs must be a positive number of milliseconds \(got 0\)/],
    [{ initTimeoutMs: '5' }, /option initTimeoutMs must be a positive number of milliseconds \(got "5"\)/],
    [{ closeClient: 'yes' }, /option closeClient must be a boolean/],
    [{ standardReasons: 1 }, /option standardReasons must be a boolean/],
    [{ logger: {} }, /option logger must be a logger/],
    [{ clientOptions: { offline: true } }, /option clientOptions is for a client the provider creates/],
  ])('refuses %j for a given client with a ConfigError naming the option', (options, message) => {
    const ld = client({ offline: true });
    expect(() => new SwitchyardProvider(ld, options as never)).toThrow(ConfigError);
    expect(() => new SwitchyardProvider(ld, options as never)).toThrow(message);
  });

  it('refuses something that is not a Switchyard client, naming LaunchDarkly’s provider for LaunchDarkly’s client', () => {
    expect(() => new SwitchyardProvider({ variation() {} } as never)).toThrow(/needs a Switchyard client .* use @launchdarkly\/openfeature-node-server/);
  });

  it('defaults to a 10 s initialization timeout and LaunchDarkly’s reasons', () => {
    expect(switchyardProviderDefaults).toEqual({ initTimeoutMs: 10_000, standardReasons: false });
    expect(Object.isFrozen(switchyardProviderDefaults)).toBe(true);
  });
});
