// The provider end to end against the local flag service (apps/flag-service: LaunchDarkly's streaming,
// polling and events endpoints over real HTTP), through OpenFeature's server SDK: every type and the
// error codes, tracking that reaches the events endpoint, READY / STALE / READY / ERROR as the stream is
// dropped, refused and recovers, CONFIGURATION_CHANGED for an edit made through the service's admin API,
// initialization failures (401, timeout) and shutdown.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startFlagService, type FlagService } from '@switchyard/app-flag-service';
import { ErrorCode, OpenFeature, ProviderEvents, ProviderStatus, type Client, type EventDetails } from '@openfeature/server-sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { SwitchyardProvider, type SwitchyardProviderOptions } from '../src/index.js';
import { flagJson, recordingLogger, until } from './support.js';

const SDK_KEY = 'sdk-openfeature-test';
const alice = { targetingKey: 'alice', country: 'NO' };

const FLAGS = {
  'new-checkout': flagJson('new-checkout', [false, true], {
    rules: [{ id: 'nordics', variation: 1, clauses: [{ contextKind: 'user', attribute: 'country', op: 'in', values: ['NO', 'SE'], negate: false }] }],
  }),
  'banner-text': flagJson('banner-text', ['Welcome!', 'Winter sale', '']),
  'max-items': flagJson('max-items', [10, 50], { fallthrough: { variation: 1 } }),
  theme: flagJson('theme', [{ colors: ['red', 'blue'], dark: true }, { colors: [] }]),
};

let dir: string;
let service: FlagService;
let domains = 0;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'openfeature-flag-service-'));
  const dataFile = join(dir, 'flags.json');
  await writeFile(dataFile, JSON.stringify({ flags: FLAGS, segments: {} }));
  service = await startFlagService({ port: 0, sdkKey: SDK_KEY, dataFile, log: () => undefined });
  service.events.recordPosts = true;
});

afterEach(async () => {
  await OpenFeature.clearProviders();
  await service.close();
  await rm(dir, { recursive: true, force: true });
});

function provider(options: SwitchyardProviderOptions = {}, sdkKey = SDK_KEY): SwitchyardProvider {
  return new SwitchyardProvider(sdkKey, {
    ...options,
    clientOptions: {
      baseUri: service.url,
      streamUri: service.url,
      eventsUri: service.url,
      streamInitialReconnectDelay: 0.05,
      diagnosticOptOut: true,
      logger: recordingLogger(),
      ...options.clientOptions,
    },
  });
}

async function ready(p: SwitchyardProvider): Promise<Client> {
  const domain = `flag-service-${++domains}`;
  await OpenFeature.setProviderAndWait(domain, p);
  return OpenFeature.getClient(domain);
}

/** Resolves with the details of the next `event` the provider emits. */
function next(p: SwitchyardProvider, event: ProviderEvents): Promise<EventDetails | undefined> {
  return new Promise((resolve) => {
    const handler = (details?: EventDetails) => {
      p.events.removeHandler(event, handler);
      resolve(details);
    };
    p.events.addHandler(event, handler);
  });
}

function api(path: string, method: string, body: unknown): Promise<Response> {
  return fetch(`${service.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

describe('evaluation against the flag service', () => {
  it('resolves every type, with targeting, variants and metadata, and the error codes', async () => {
    const of = await ready(provider({ standardReasons: true }));
    expect(await of.getBooleanDetails('new-checkout', false, alice)).toMatchObject({
      value: true,
      variant: '1',
      reason: 'TARGETING_MATCH',
      flagMetadata: { flagVersion: 1, contextId: 'alice', variationIndex: 1, ldReasonKind: 'RULE_MATCH', ldRuleId: 'nordics' },
    });
    expect(await of.getBooleanDetails('new-checkout', true, { targetingKey: 'bob', country: 'DE' })).toMatchObject({ value: false, variant: '0', reason: 'DEFAULT' });
    expect(await of.getStringValue('banner-text', 'dflt', alice)).toBe('Welcome!');
    expect(await of.getNumberValue('max-items', 0, alice)).toBe(50);
    expect(await of.getObjectValue('theme', {}, alice)).toEqual({ colors: ['red', 'blue'], dark: true });

    expect(await of.getStringDetails('missing', 'dflt', alice)).toMatchObject({ value: 'dflt', reason: 'ERROR', errorCode: ErrorCode.FLAG_NOT_FOUND });
    expect(await of.getNumberDetails('banner-text', 7, alice)).toMatchObject({ value: 7, errorCode: ErrorCode.TYPE_MISMATCH });
    expect(await of.getObjectDetails('max-items', { x: 1 }, alice)).toMatchObject({ value: { x: 1 }, errorCode: ErrorCode.TYPE_MISMATCH });
    expect(await of.getBooleanDetails('new-checkout', false, { country: 'NO' })).toMatchObject({ value: false, errorCode: ErrorCode.TARGETING_KEY_MISSING });
  });
});

describe('tracking', () => {
  it('delivers a custom event with the metric value and data to the events endpoint, next to the evaluations', async () => {
    const p = provider();
    const of = await ready(p);
    expect(await of.getBooleanValue('new-checkout', false, alice)).toBe(true);
    of.track('purchase', { ...alice, kind: 'customer' }, { value: 42.5, sku: 'abc', items: 3 });
    await p.getClient()!.flush();
    await service.events.waitFor((e) => e.analyticsEvents().some((ev) => ev.kind === 'custom'));
    const events = service.events.analyticsEvents();
    expect(events.filter((e) => e.kind === 'custom')).toEqual([
      {
        kind: 'custom',
        creationDate: expect.any(Number),
        key: 'purchase',
        context: { kind: 'customer', key: 'alice', country: 'NO' },
        data: { sku: 'abc', items: 3 },
        metricValue: 42.5,
      },
    ]);
    const summary = events.find((e) => e.kind === 'summary') as { features: Record<string, { counters: { variation?: number; count: number }[] }> } | undefined;
    expect(summary?.features['new-checkout']?.counters).toEqual([expect.objectContaining({ variation: 1, count: 1 })]);
  });
});

describe('provider events', () => {
  it('emits STALE when the stream drops and is refused, READY when it is back, and CONFIGURATION_CHANGED for an edit', async () => {
    const p = provider();
    const seen: string[] = [];
    for (const event of Object.values(ProviderEvents)) p.events.addHandler(event, () => seen.push(event));
    const of = await ready(p);
    expect(of.providerStatus).toBe(ProviderStatus.READY);

    // Reconnects are refused with 503 twice, then served.
    service.stream.nextConnections({ kind: 'status', status: 503 }, { kind: 'status', status: 503 });
    const stale = next(p, ProviderEvents.Stale);
    const back = next(p, ProviderEvents.Ready);
    const connections = service.stream.connectionCount;
    service.stream.drop();
    expect(await stale).toMatchObject({ message: expect.any(String) });
    expect(of.providerStatus).toBe(ProviderStatus.STALE);
    expect(await of.getStringValue('banner-text', 'dflt', alice)).toBe('Welcome!');
    await back;
    expect(of.providerStatus).toBe(ProviderStatus.READY);
    expect(service.stream.connectionCount).toBe(connections + 3);

    const changed = next(p, ProviderEvents.ConfigurationChanged);
    expect((await api('/api/flags/banner-text', 'PUT', { ...FLAGS['banner-text'], fallthrough: { variation: 1 } })).status).toBe(200);
    expect(await changed).toMatchObject({ flagsChanged: ['banner-text'] });
    expect(await of.getStringDetails('banner-text', 'dflt', alice)).toMatchObject({ value: 'Winter sale', flagMetadata: { flagVersion: 2 } });
    expect(seen).toEqual([ProviderEvents.Stale, ProviderEvents.Ready, ProviderEvents.ConfigurationChanged]);
  });

  it('emits ERROR when the stream is refused for good (401) after it was ready, and keeps serving the last flags', async () => {
    const p = provider();
    const of = await ready(p);
    service.stream.nextConnections({ kind: 'status', status: 401 });
    const error = next(p, ProviderEvents.Error);
    service.stream.drop();
    expect(await error).toMatchObject({ message: expect.stringContaining('401') });
    expect(of.providerStatus).toBe(ProviderStatus.ERROR);
    expect(await of.getNumberValue('max-items', 0, alice)).toBe(50);
  });
});

describe('initialization', () => {
  it('fails for good with a wrong SDK key (401): FATAL, and OpenFeature answers PROVIDER_FATAL', async () => {
    const p = provider({}, 'sdk-wrong');
    const domain = `flag-service-${++domains}`;
    await expect(OpenFeature.setProviderAndWait(domain, p)).rejects.toThrow(/failed to initialize: .*401/);
    const of = OpenFeature.getClient(domain);
    expect(of.providerStatus).toBe(ProviderStatus.FATAL);
    expect(await of.getBooleanDetails('new-checkout', false, alice)).toMatchObject({ value: false, errorCode: ErrorCode.PROVIDER_FATAL });
  });

  it('reports ERROR after initTimeoutMs when the stream never answers, and READY once it does', async () => {
    service.stream.nextConnections({ kind: 'silent-after-headers' });
    const p = provider({ initTimeoutMs: 300 });
    const domain = `flag-service-${++domains}`;
    await expect(OpenFeature.setProviderAndWait(domain, p)).rejects.toThrow(/did not initialize within 300 ms/);
    const of = OpenFeature.getClient(domain);
    expect(of.providerStatus).toBe(ProviderStatus.ERROR);
    const readyAgain = next(p, ProviderEvents.Ready);
    service.stream.drop();
    await readyAgain;
    expect(of.providerStatus).toBe(ProviderStatus.READY);
    expect(await of.getBooleanValue('new-checkout', false, alice)).toBe(true);
  });
});

describe('shutdown', () => {
  it('closes the client it created: the stream is closed and an event tracked just before is delivered', async () => {
    const p = provider();
    const of = await ready(p);
    expect(service.stream.openCount).toBe(1);
    of.track('last-words', alice);
    await OpenFeature.clearProviders();
    expect(p.getClient()!.dataSourceStatusProvider.getStatus().state).toBe('OFF');
    await service.events.waitFor((e) => e.analyticsEvents().some((ev) => ev.kind === 'custom' && ev.key === 'last-words'));
    await until(() => service.stream.openCount === 0, 'the stream to close');
  });
});
