import { describe, expect, it } from 'vitest';

import { translateContext } from './translate.js';

function translate(context: Record<string, unknown>) {
  const problems: string[] = [];
  const out = translateContext(context as never, (m) => problems.push(m)) as unknown as Record<string, unknown>;
  return { out, problems };
}

describe('translateContext', () => {
  it.each([
    ['targetingKey becomes the key of a user', { targetingKey: 'u1' }, { kind: 'user', key: 'u1' }],
    ['key is accepted without targetingKey', { key: 'u1' }, { kind: 'user', key: 'u1' }],
    ['kind is kept', { kind: 'org', targetingKey: 'o1' }, { kind: 'org', key: 'o1' }],
    ['name and anonymous are built-ins', { targetingKey: 'u', name: 'Ann', anonymous: true }, { kind: 'user', key: 'u', name: 'Ann', anonymous: true }],
    ['privateAttributes become _meta.privateAttributes', { targetingKey: 'u', privateAttributes: ['email', '/address/street'] }, { kind: 'user', key: 'u', _meta: { privateAttributes: ['email', '/address/street'] } }],
    ['dates become ISO strings, also nested', { targetingKey: 'u', at: new Date(0), deep: { at: new Date(1000) } }, { kind: 'user', key: 'u', at: '1970-01-01T00:00:00.000Z', deep: { at: '1970-01-01T00:00:01.000Z' } }],
    ['arrays, nulls and numbers are taken as they are', { targetingKey: 'u', tags: ['a', 1, null], n: 0, z: null }, { kind: 'user', key: 'u', tags: ['a', 1, null], n: 0, z: null }],
    ['no key is translated without one (the client reports it)', { email: 'x' }, { kind: 'user', key: undefined, email: 'x' }],
  ])('%s', (_name, input, expected) => {
    const { out, problems } = translate(input);
    expect(out).toStrictEqual(expected);
    expect(problems).toEqual([]);
  });

  it('prefers targetingKey over key, and says so', () => {
    const { out, problems } = translate({ targetingKey: 'a', key: 'b' });
    expect(out).toStrictEqual({ kind: 'user', key: 'a' });
    expect(problems).toEqual(['the evaluation context has both a targetingKey and a key attribute; the key attribute is ignored']);
  });

  it('drops built-ins of the wrong type and uses user for a kind that is not a string', () => {
    const { out, problems } = translate({ targetingKey: 'u', kind: 7, name: 1, anonymous: 'yes', other: 'kept' });
    expect(out).toStrictEqual({ kind: 'user', key: 'u', other: 'kept' });
    expect(problems).toEqual([
      `the evaluation context's kind must be a string; "user" is used`,
      'the attribute "name" must be a string; it is left out',
      'the attribute "anonymous" must be a boolean; it is left out',
    ]);
  });

  it('translates a multi-kind context: one object per kind, each with its own key; other entries are dropped', () => {
    const { out, problems } = translate({
      kind: 'multi',
      targetingKey: 'ignored',
      org: { targetingKey: 'o1', name: 'Acme', privateAttributes: ['name'], address: { city: 'Oslo' } },
      user: { key: 'u1', anonymous: true },
    });
    expect(out).toStrictEqual({
      kind: 'multi',
      org: { key: 'o1', name: 'Acme', _meta: { privateAttributes: ['name'] }, address: { city: 'Oslo' } },
      user: { key: 'u1', anonymous: true },
    });
    expect(problems).toEqual(['a multi-kind evaluation context holds one object per kind; "targetingKey" is not an object and is left out']);
  });

  it('cuts cycles and never changes its input', () => {
    const inner: Record<string, unknown> = { a: 1 };
    inner.self = inner;
    const input = Object.freeze({ targetingKey: 'u', inner: Object.freeze(inner) });
    const { out, problems } = translate(input);
    expect(out).toStrictEqual({ kind: 'user', key: 'u', inner: { a: 1 } });
    expect(problems).toEqual(['the evaluation context contains a cycle at attribute "self"; that part of the context is left out']);
    expect(out.inner).not.toBe(inner);
  });

  it('keeps an attribute named __proto__ as an attribute, not as the prototype', () => {
    const { out, problems } = translate(JSON.parse('{"targetingKey":"u","__proto__":{"polluted":true}}') as Record<string, unknown>);
    expect(problems).toEqual([]);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toEqual({ polluted: true });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
