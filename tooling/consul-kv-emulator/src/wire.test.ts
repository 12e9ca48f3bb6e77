import { expect, it } from 'vitest';

import { toJson, wireEntry } from './wire.js';

it('writes uint64 flags exactly and an empty value as null', () => {
  const entry = { key: 'k', value: Buffer.alloc(0), flags: 18446744073709551615n, lockIndex: 0, createIndex: 2, modifyIndex: 3 };
  expect(toJson([wireEntry(entry)])).toBe('[{"LockIndex":0,"Key":"k","Flags":18446744073709551615,"Value":null,"CreateIndex":2,"ModifyIndex":3}]');
});

it('escapes <, > and & like Go, and indents by 4 spaces with a trailing newline when pretty', () => {
  expect(toJson({ Key: 'a<b>&c' })).toBe('{"Key":"a\\u003cb\\u003e\\u0026c"}');
  expect(toJson({ A: [1], B: [] }, true)).toBe('{\n    "A": [\n        1\n    ],\n    "B": []\n}\n');
  expect(JSON.parse(toJson({ Key: 'a<b>&c' }))).toEqual({ Key: 'a<b>&c' });
});
