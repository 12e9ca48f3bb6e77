// Side by side with LaunchDarkly's provider (@launchdarkly/openfeature-node-server on
// @launchdarkly/node-server-sdk): the same OpenFeature contexts, through OpenFeature, against the same
// flags (each SDK with its own TestData holding identical flag JSON). Each client's evaluation hook
// records the LaunchDarkly context the provider handed it; the contexts and the evaluation results must
// be the same, so contexts and code written for LaunchDarkly's provider port over.
import { LaunchDarklyProvider } from '@launchdarkly/openfeature-node-server';
import { integrations as ldIntegrations, type LDContext as LaunchDarklyContext } from '@launchdarkly/node-server-sdk';
import { OpenFeature, type EvaluationContext, type EvaluationDetails, type FlagValue } from '@openfeature/server-sdk';
import { TestData, init, type LDClient } from '@switchyard/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { SwitchyardProvider } from '../src/index.js';
import { flagJson, recordingLogger } from './support.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

const clause = (contextKind: string, attribute: string, values: unknown[], op = 'in') => ({ contextKind, attribute, op, values, negate: false });
const FLAGS = [
  flagJson('by-attribute', ['none', 'email', 'street', 'org-plan', 'anonymous', 'date', 'tag', 'device'], {
    rules: [
      { id: 'email', variation: 1, clauses: [clause('user', 'email', ['a@example.com'])] },
      { id: 'street', variation: 2, clauses: [clause('user', '/address/street', ['Main St'])] },
      { id: 'org', variation: 3, clauses: [clause('org', 'plan', ['pro'])] },
      { id: 'anon', variation: 4, clauses: [clause('user', 'anonymous', [true])] },
      { id: 'date', variation: 5, clauses: [clause('user', '/account/createdAt', [Date.UTC(2001, 0, 1)], 'before')] },
      { id: 'tag', variation: 6, clauses: [clause('user', 'tags', ['beta'])] },
      { id: 'device', variation: 7, clauses: [clause('device', 'key', ['d1'])] },
    ],
  }),
  flagJson('bool', [true, false]),
  flagJson('number', [42, 0]),
  flagJson('object', [{ a: 1 }, {}]),
  flagJson('array', [[1, 2], []]),
  flagJson('string-value', ['text', 'other']),
  { ...flagJson('off-no-variation', [{ a: 1 }]), on: false, offVariation: undefined },
];

const CONTEXTS: [string, EvaluationContext][] = [
  ['targetingKey only', { targetingKey: 'u1' }],
  ['key instead of targetingKey', { key: 'u2', email: 'a@example.com' }],
  ['both targetingKey and key', { targetingKey: 'u3', key: 'ignored' }],
  ['another kind with built-ins', { kind: 'org', targetingKey: 'o1', name: 'Acme', anonymous: false, plan: 'pro' }],
  ['built-ins of the wrong type', { targetingKey: 'u4', name: 5, anonymous: 'no' } as unknown as EvaluationContext],
  ['private attributes and nested values with a date', { targetingKey: 'u5', privateAttributes: ['email', '/address/street'], email: 'e@x', address: { street: 'Main St', zip: '0150' } }],
  ['a date nested in an object', { targetingKey: 'u6', account: { createdAt: new Date(Date.UTC(2000, 5, 1)) } }],
  ['arrays, numbers, booleans and null', { targetingKey: 'u7', tags: ['alpha', 'beta'], n: 3, ok: true, nothing: null }],
  ['anonymous user', { targetingKey: 'u8', anonymous: true }],
  ['multi-kind', { kind: 'multi', org: { targetingKey: 'o2', plan: 'pro', name: 'Org' }, user: { key: 'u9', anonymous: true, privateAttributes: ['name'] }, stray: 'dropped' } as unknown as EvaluationContext],
  ['multi-kind with a device', { kind: 'multi', device: { targetingKey: 'd1' }, user: { targetingKey: 'u10' } }],
  ['a kind that is not a string', { targetingKey: 'u11', kind: 5 } as unknown as EvaluationContext],
  ['no key at all', { email: 'a@example.com' }],
  ['an empty key', { kind: 'device', targetingKey: '' }],
  ['an invalid kind', { kind: 'kind', targetingKey: 'k' }],
];

function recorder(contexts: unknown[]) {
  return {
    getMetadata: () => ({ name: 'context-recorder' }),
    beforeEvaluation: (hookContext: { context: unknown }, data: Record<string, unknown>) => {
      contexts.push(hookContext.context);
      return data;
    },
  };
}

/** The parts of an evaluation both providers fill in. */
function comparable(d: EvaluationDetails<FlagValue>) {
  return { value: d.value, variant: d.variant, reason: d.reason, errorCode: d.errorCode };
}

describe('side by side with LaunchDarkly’s OpenFeature provider', () => {
  const ldContexts: unknown[] = [];
  const syContexts: unknown[] = [];
  let switchyardClient: LDClient;
  let ldProvider: LaunchDarklyProvider;

  beforeAll(async () => {
    const ldData = new ldIntegrations.TestData();
    const syData = new TestData();
    for (const flag of FLAGS) {
      await ldData.usePreconfiguredFlag(flag);
      await syData.usePreconfiguredFlag(flag);
    }
    ldProvider = new LaunchDarklyProvider('sdk-parity', { updateProcessor: ldData.getFactory(), sendEvents: false, diagnosticOptOut: true, logger: silent });
    ldProvider.getClient().addHook!(recorder(ldContexts));
    switchyardClient = init('sdk-parity', { updateProcessor: syData.getFactory(), sendEvents: false, logger: recordingLogger() });
    switchyardClient.addHook(recorder(syContexts));
    await OpenFeature.setProviderAndWait('launchdarkly', ldProvider);
    await OpenFeature.setProviderAndWait('switchyard', new SwitchyardProvider(switchyardClient));
  });

  afterAll(async () => {
    await OpenFeature.clearProviders();
    await switchyardClient.close();
  });

  it.each(CONTEXTS)('translates %s into the same LaunchDarkly context and evaluates it the same', async (_name, context) => {
    ldContexts.length = 0;
    syContexts.length = 0;
    const ld = OpenFeature.getClient('launchdarkly');
    const sy = OpenFeature.getClient('switchyard');
    const [a, b] = await Promise.all([ld.getStringDetails('by-attribute', 'dflt', context), sy.getStringDetails('by-attribute', 'dflt', context)]);
    expect(syContexts).toHaveLength(1);
    expect(syContexts[0] as LaunchDarklyContext).toStrictEqual(ldContexts[0]);
    expect(comparable(b)).toEqual(comparable(a));
  });

  it('the contexts exercise every rule, so the comparison covers matches as well as misses', async () => {
    const sy = OpenFeature.getClient('switchyard');
    const served = new Set<string>();
    for (const [, context] of CONTEXTS) served.add(await sy.getStringValue('by-attribute', 'dflt', context));
    expect([...served].sort()).toEqual(['anonymous', 'date', 'device', 'dflt', 'email', 'none', 'org-plan', 'street', 'tag'].sort());
  });

  it.each([
    ['boolean', 'bool', false],
    ['boolean', 'string-value', false],
    ['string', 'bool', 'd'],
    ['number', 'number', 1],
    ['number', 'string-value', 1],
    ['object', 'object', {}],
    ['object', 'array', {}],
    ['object', 'number', {}],
    ['object', 'string-value', {}],
    ['string', 'missing', 'd'],
  ] as const)('resolves a %s request for "%s" the same (value, variant, reason, error code)', async (type, key, fallback) => {
    const method = { boolean: 'getBooleanDetails', string: 'getStringDetails', number: 'getNumberDetails', object: 'getObjectDetails' }[type];
    const evaluate = (domain: string) => (OpenFeature.getClient(domain) as unknown as Record<string, (k: string, d: unknown, c: EvaluationContext) => Promise<EvaluationDetails<FlagValue>>>)[method]!(key, fallback, { targetingKey: 'u' });
    const [a, b] = await Promise.all([evaluate('launchdarkly'), evaluate('switchyard')]);
    expect(comparable(b)).toEqual(comparable(a));
  });

  it('differs on purpose for an object flag that serves no variation: the caller’s default, not TYPE_MISMATCH', async () => {
    const context = { targetingKey: 'u' };
    const a = await OpenFeature.getClient('launchdarkly').getObjectDetails('off-no-variation', null, context);
    const b = await OpenFeature.getClient('switchyard').getObjectDetails('off-no-variation', null, context);
    expect(comparable(a)).toEqual({ value: null, variant: undefined, reason: 'ERROR', errorCode: 'TYPE_MISMATCH' });
    expect(comparable(b)).toEqual({ value: null, variant: undefined, reason: 'OFF', errorCode: undefined });
  });
});
