import { AttributeReference as LDAttributeReference, Context as LDContext, ContextFilter as LDContextFilter } from '@launchdarkly/js-server-sdk-common';
import { describe, expect, it } from 'vitest';

import { Context } from '../context/context.js';
import { ContextFormatter } from './context-formatter.js';

const alice = {
  kind: 'user',
  key: 'alice',
  name: 'Alice',
  email: 'alice@example.com',
  address: { street: '1 Main St', city: 'Oslo', geo: { lat: 59.9, lon: 10.7 } },
  tags: ['a', 'b'],
  '/odd': 'slash-named',
};

describe('ContextFormatter', () => {
  it('copies a context as LaunchDarkly shapes it when nothing is private', () => {
    expect(new ContextFormatter().format(Context.from(alice))).toEqual(alice);
  });

  it('redacts global private attributes by name and by reference, listing them sorted', () => {
    const formatter = new ContextFormatter({ privateAttributes: ['email', '/address/street', '/address/geo/lat', '/nope'] });
    expect(formatter.format(Context.from(alice))).toEqual({
      kind: 'user',
      key: 'alice',
      name: 'Alice',
      address: { city: 'Oslo', geo: { lon: 10.7 } },
      tags: ['a', 'b'],
      '/odd': 'slash-named',
      _meta: { redactedAttributes: ['/address/geo/lat', '/address/street', 'email'] },
    });
  });

  it("redacts the context's own _meta.privateAttributes and never sends them", () => {
    const context = Context.from({ ...alice, _meta: { privateAttributes: ['name', '/address'] } });
    expect(new ContextFormatter({ privateAttributes: ['email'] }).format(context)).toEqual({
      kind: 'user',
      key: 'alice',
      tags: ['a', 'b'],
      '/odd': 'slash-named',
      _meta: { redactedAttributes: ['/address', 'email', 'name'] },
    });
  });

  it('redacts everything but key, kind and anonymous with allAttributesPrivate', () => {
    const context = Context.from({ kind: 'org', key: 'o', anonymous: false, name: 'Org', '/odd': 1 });
    expect(new ContextFormatter({ allAttributesPrivate: true }).format(context)).toEqual({
      kind: 'org',
      key: 'o',
      anonymous: false,
      _meta: { redactedAttributes: ['/~1odd', 'name'] },
    });
  });

  it('never redacts key, kind or anonymous even when asked to', () => {
    const context = Context.from({ kind: 'user', key: 'k', anonymous: true, _meta: { privateAttributes: ['key', 'kind', 'anonymous'] } });
    expect(new ContextFormatter({ privateAttributes: ['key', '/anonymous'] }).format(context)).toEqual({ kind: 'user', key: 'k', anonymous: true });
  });

  it('redacts anonymous parts fully only when asked (feature and custom events)', () => {
    const context = Context.from({ kind: 'multi', user: { key: 'u', anonymous: true, name: 'U' }, org: { key: 'o', name: 'O' } });
    const formatter = new ContextFormatter();
    expect(formatter.format(context, true)).toEqual({
      kind: 'multi',
      user: { key: 'u', anonymous: true, _meta: { redactedAttributes: ['name'] } },
      org: { key: 'o', name: 'O' },
    });
    expect(formatter.format(context, false)).toEqual({ kind: 'multi', user: { key: 'u', anonymous: true, name: 'U' }, org: { key: 'o', name: 'O' } });
  });

  it('sends a legacy user as kind user, with its built-in attributes as strings and privateAttributeNames as literal names', () => {
    const legacy = Context.from({ key: 'u1', name: 42, email: 'e@x', custom: { plan: 'gold', '/x': 1 }, privateAttributeNames: ['email', '/x'] });
    expect(new ContextFormatter().format(legacy)).toEqual({ kind: 'user', key: 'u1', name: '42', plan: 'gold', _meta: { redactedAttributes: ['/~1x', 'email'] } });
  });

  it('gives undefined for an invalid context', () => {
    expect(new ContextFormatter().format(Context.from({ kind: 'user' }))).toBeUndefined();
  });
});

describe("ContextFormatter agrees with LaunchDarkly's ContextFilter", () => {
  const contexts: unknown[] = [
    alice,
    { ...alice, _meta: { privateAttributes: ['/address/city', 'tags', '/a~1b'] }, 'a/b': 3 },
    { kind: 'user', key: 'anon', anonymous: true, name: 'N', nested: { x: { y: 1 } } },
    { kind: 'multi', user: { key: 'u', email: 'e', anonymous: true }, org: { key: 'o', address: { street: 's' }, _meta: { privateAttributes: ['/address/street'] } } },
    { key: 'legacy', name: 'L', ip: '1.2.3.4', country: 'NO', custom: { plan: 'gold', nested: { deep: true } }, privateAttributeNames: ['ip'] },
    { key: 'legacy-anon', anonymous: true, email: 'x@y' },
    { kind: 'device', key: 'd', nulls: null, zero: 0, empty: '', list: [{ a: 1 }] },
  ];
  const configs: { allAttributesPrivate: boolean; privateAttributes: string[] }[] = [
    { allAttributesPrivate: false, privateAttributes: [] },
    { allAttributesPrivate: false, privateAttributes: ['email', '/address/street', '/nested/x/y', 'plan', '/list'] },
    { allAttributesPrivate: true, privateAttributes: [] },
    { allAttributesPrivate: false, privateAttributes: ['name', '/a~1b', 'key', '/_meta'] },
  ];

  for (const [ci, config] of configs.entries()) {
    for (const [i, input] of contexts.entries()) {
      for (const redactAnonymous of [false, true]) {
        it(`context ${i}, config ${ci}, redactAnonymous ${redactAnonymous}`, () => {
          const ld = new LDContextFilter(
            config.allAttributesPrivate,
            config.privateAttributes.map((r) => new LDAttributeReference(r)),
          ).filter(LDContext.fromLDContext(input as never), redactAnonymous);
          const ours = new ContextFormatter(config).format(Context.from(input), redactAnonymous);
          expect(ours).toEqual(JSON.parse(JSON.stringify(ld)));
        });
      }
    }
  }
});
