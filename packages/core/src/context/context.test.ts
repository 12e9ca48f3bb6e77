import { describe, expect, it } from 'vitest';

import { AttributeReference, Context } from './index.js';

const ref = AttributeReference.parse;

describe('AttributeReference', () => {
  it.each([
    ['name', ['name'], 'name'],
    ['/name', ['name'], '/name'],
    ['/address/city', ['address', 'city'], '/address/city'],
    ['/a~1b/c~0d', ['a/b', 'c~d'], '/a~1b/c~0d'],
    ['a/b', ['a/b'], 'a/b'],
    ['~x', ['~x'], '~x'],
  ])('parses %j into components %j', (text, components, path) => {
    const r = ref(text);
    expect(r.valid).toBe(true);
    expect(r.components).toEqual(components);
    expect(r.path).toBe(path);
  });

  it.each([
    ['', /empty/],
    ['/', /names no attribute/],
    ['/a//b', /empty component/],
    ['/a/', /empty component/],
    ['/a~2', /"~" not followed by 0 or 1/],
    ['/a~', /"~" not followed by 0 or 1/],
    ['/_meta/x', /_meta/],
  ])('reports %j as invalid', (text, message) => {
    const r = ref(text);
    expect(r.valid).toBe(false);
    expect(r.error).toMatch(message);
    expect(r.get({ a: 1 })).toBeUndefined();
  });

  it('reads nested objects but never indexes arrays or inherited properties', () => {
    const attrs = { address: { city: 'Oslo' }, list: [{ x: 1 }], s: 'str' };
    expect(ref('/address/city').get(attrs)).toBe('Oslo');
    expect(ref('/list/0').get(attrs)).toBeUndefined();
    expect(ref('/s/length').get(attrs)).toBeUndefined();
    expect(ref('/address/toString').get(attrs)).toBeUndefined();
  });

  it('treats a literal name starting with a slash as one attribute', () => {
    const literal = AttributeReference.literal('/weird');
    expect(literal.components).toEqual(['/weird']);
    expect(literal.path).toBe('/~1weird');
    expect(literal.get({ '/weird': 1 })).toBe(1);
  });

  it('recognises the kind reference', () => {
    expect(ref('kind').isKind).toBe(true);
    expect(ref('/kind').isKind).toBe(true);
    expect(ref('/kind/x').isKind).toBe(false);
  });
});

describe('Context', () => {
  it('makes a single-kind context with canonical and fully-qualified keys', () => {
    const c = Context.from({ kind: 'org', key: 'a:b%c', name: 'Acme' });
    expect(c.valid).toBe(true);
    expect(c.kind).toBe('org');
    expect(c.kinds).toEqual(['org']);
    expect(c.canonicalKey).toBe('org:a%3Ab%25c');
    expect(c.fullyQualifiedKey).toBe('org:a%3Ab%25c');
    expect(c.key('org')).toBe('a:b%c');
    expect(c.key()).toBeUndefined();
  });

  it('gives a user context its plain key as canonical key but a prefixed fully-qualified key', () => {
    const c = Context.from({ kind: 'user', key: 'u:1' });
    expect(c.canonicalKey).toBe('u:1');
    expect(c.fullyQualifiedKey).toBe('user:u%3A1');
  });

  it('sorts kinds in the canonical key of a multi-kind context', () => {
    const c = Context.from({ kind: 'multi', user: { key: 'u' }, device: { key: 'd:1' }, org: { key: 'o' } });
    expect(c.isMulti).toBe(true);
    expect(c.kinds).toEqual(['user', 'device', 'org']);
    expect(c.canonicalKey).toBe('device:d%3A1:org:o:user:u');
    expect(c.valueFor('device', ref('key'))).toBe('d:1');
  });

  it('turns a legacy user into a user context, custom attributes included', () => {
    const c = Context.from({ key: 7, name: 'Ann', custom: { plan: 'pro', name: 'ignored' }, anonymous: 1, privateAttributeNames: ['/email'] });
    expect(c.valid).toBe(true);
    expect(c.legacy).toBe(true);
    expect(c.key()).toBe('7');
    expect(c.valueFor('user', ref('plan'))).toBe('pro');
    expect(c.valueFor('user', ref('name'))).toBe('Ann');
    expect(c.valueFor('user', ref('anonymous'))).toBe(true);
    expect(c.part('user')?.privateAttributes[0]?.components).toEqual(['/email']);
  });

  it('answers the kind reference with every kind, and anonymous with a boolean', () => {
    const c = Context.from({ kind: 'multi', user: { key: 'u' }, org: { key: 'o', anonymous: true } });
    expect(c.valueFor('nonexistent', ref('kind'))).toEqual(['user', 'org']);
    expect(c.valueFor('user', ref('anonymous'))).toBe(false);
    expect(c.valueFor('org', ref('anonymous'))).toBe(true);
    expect(c.valueFor('device', ref('key'))).toBeUndefined();
  });

  it.each([
    [undefined, /no context/],
    ['user-key', /no context/],
    [{ kind: 'user' }, /non-empty string key/],
    [{ kind: 'user', key: '' }, /non-empty string key/],
    [{ kind: 'user', key: 5 }, /non-empty string key/],
    [{ kind: 'kind', key: 'k' }, /cannot be "kind"/],
    [{ kind: 'a b', key: 'k' }, /may only contain/],
    [{ kind: 5, key: 'k' }, /must be a string/],
    [{ kind: 'multi' }, /at least one kind/],
    [{ kind: 'multi', user: 'x' }, /must be an object/],
    [{ kind: 'multi', user: { key: 'u' }, 'b@d': { key: 'x' } }, /may only contain/],
    [{ kind: 'user', key: 'k', _meta: { privateAttributes: 'email' } }, /privateAttributes must be an array of strings/],
    [{ name: 'no key' }, /must have a key/],
    [{ key: { nested: 1 } }, /user key must be a string/],
  ])('makes an invalid context, never a throw, from %j', (input, message) => {
    const c = Context.from(input);
    expect(c.valid).toBe(false);
    expect(c.error).toMatch(message);
    expect(c.canonicalKey).toBe('');
    expect(c.valueFor('user', ref('key'))).toBeUndefined();
  });

  it('reports a cyclic attribute as an invalid context', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const c = Context.from({ kind: 'user', key: 'k', data: cyclic });
    expect(c.valid).toBe(false);
    expect(c.error).toMatch(/not valid JSON/);
  });

  it('copies its input: later changes to the caller’s object change nothing', () => {
    const input = { kind: 'user', key: 'k', plan: 'free', address: { city: 'Oslo' } };
    const c = Context.from(input);
    input.plan = 'pro';
    input.address.city = 'Rome';
    input.key = 'other';
    expect(c.valueFor('user', ref('plan'))).toBe('free');
    expect(c.valueFor('user', ref('/address/city'))).toBe('Oslo');
    expect(c.key()).toBe('k');
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.part('user')!.attributes)).toBe(true);
  });

  it('keeps non-finite numbers so comparisons behave as in LaunchDarkly', () => {
    const c = Context.from({ kind: 'user', key: 'k', score: Infinity });
    expect(c.valueFor('user', ref('score'))).toBe(Infinity);
  });

  it('builds single-kind contexts and combines them into a multi-kind context', () => {
    const user = Context.builder('user', 'u1').name('Ann').set('plan', 'pro').privateAttributes('email').anonymous(true).build();
    const org = Context.builder('org', 'o1').build();
    expect(user.valueFor('user', ref('plan'))).toBe('pro');
    expect(user.part('user')?.anonymous).toBe(true);
    const multi = Context.multi(user, org);
    expect(multi.kinds).toEqual(['user', 'org']);
    expect(multi.toLDContext()).toEqual({
      kind: 'multi',
      user: { key: 'u1', name: 'Ann', plan: 'pro', anonymous: true, _meta: { privateAttributes: ['email'] } },
      org: { key: 'o1' },
    });
    expect(Context.multi(user, user).error).toMatch(/appears twice/);
    expect(Context.multi().valid).toBe(false);
    expect(Context.builder('kind', 'k').build().valid).toBe(false);
    expect(Context.multi(user).kinds).toEqual(['user']);
    expect(Context.multi(user).isMulti).toBe(false);
  });

  it('borrow() reads the caller’s object in place and snapshot() copies it', () => {
    const input = { kind: 'user', key: 'k', plan: 'free' };
    const borrowed = Context.borrow(input);
    expect(borrowed.valueFor('user', ref('plan'))).toBe('free');
    const snap = borrowed.snapshot();
    input.plan = 'pro';
    expect(borrowed.valueFor('user', ref('plan'))).toBe('pro');
    expect(snap.valueFor('user', ref('plan'))).toBe('free');
    expect(snap.snapshot()).toBe(snap);
    expect(Context.from(borrowed)).not.toBe(borrowed);
    expect(Context.from(borrowed).valueFor('user', ref('plan'))).toBe('pro');
  });

  it('borrow() validates exactly like from()', () => {
    for (const input of [{ kind: 'user', key: '' }, { kind: 'multi' }, { key: 'legacy', custom: { a: 1 } }, { kind: 'multi', a: { key: 'x' }, b: { key: 'y' } }]) {
      const [a, b] = [Context.from(input), Context.borrow(input)];
      expect([b.valid, b.error, b.kinds, b.canonicalKey]).toEqual([a.valid, a.error, a.kinds, a.canonicalKey]);
    }
  });

  it('gives borrowed and copied contexts the same kinds and keys, computed when first asked', () => {
    for (const input of [
      { kind: 'user', key: 'u:1' },
      { kind: 'org', key: 'o%1' },
      { key: 'legacy' },
      { kind: 'multi', user: { key: 'u' }, org: { key: 'o:1' } },
      { kind: 'multi', org: { key: 'o:1' }, user: { key: 'u' } },
      { kind: 'multi', user: { key: 'u' }, org: { key: 'o' }, device: { key: 'd' } },
      { kind: 'multi', org: { key: 'o' } },
    ]) {
      const [a, b] = [Context.from(input), Context.borrow(input)];
      expect([b.kind, b.kinds, b.canonicalKey, b.fullyQualifiedKey, b.parts().length]).toEqual([a.kind, a.kinds, a.canonicalKey, a.fullyQualifiedKey, a.parts().length]);
      expect(Object.isFrozen(a.kinds) && Object.isFrozen(b.kinds)).toBe(true);
      expect(b.kinds).toBe(b.kinds);
    }
    expect(Context.borrow({ kind: 'multi', org: { key: 'o:1' }, user: { key: 'u' } }).canonicalKey).toBe('org:o%3A1:user:u');
  });

  it('returns a Context given to from() as is', () => {
    const c = Context.from({ kind: 'user', key: 'k' });
    expect(Context.from(c)).toBe(c);
  });
});
