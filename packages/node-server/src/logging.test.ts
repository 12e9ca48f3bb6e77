import { describe, expect, it } from 'vitest';

import type { LDLogger } from '@switchyard/core';

import { redactingLogger, secretRedactor } from './logging.js';

function capture(): { logger: LDLogger; lines: string[] } {
  const lines: string[] = [];
  const put = (...args: unknown[]) => lines.push(args.map((a) => (typeof a === 'string' ? a : String(a))).join(' '));
  return { logger: { error: put, warn: put, info: put, debug: put }, lines };
}

describe('SDK key redaction', () => {
  it('leaves ordinary words alone when the key is short', () => {
    const { logger, lines } = capture();
    redactingLogger(logger, 'k').warn('unknown option "keepAlive"; see k');
    expect(lines).toEqual(['unknown option "keepAlive"; see <sdk-key>']);
  });

  it('redacts a real-looking key wherever it is a whole token', () => {
    const key = 'sdk-12345678-abcd-ef01-2345-6789abcdef01';
    const redact = secretRedactor(key);
    for (const text of [key, `Authorization: ${key}`, `https://host/${key}/all`, `key=${key};`, `"${key}"`, `(${key})`, `${key}-suffix`]) {
      expect(redact(text)).not.toContain(key);
      expect(redact(text)).toContain('<sdk-key>');
    }
  });

  it('treats regular-expression characters in the key literally', () => {
    expect(secretRedactor('a.b*c')('x a.b*c y aXbbc')).toBe('x <sdk-key> y aXbbc');
  });

  it('redacts errors and objects that embed the key, and passes others through unchanged', () => {
    const key = 'sdk-secret-1';
    const { logger, lines } = capture();
    const log = redactingLogger(logger, key);
    log.error(new Error(`request to /x?k=${key} failed`));
    log.error({ headers: { authorization: key } });
    const plain = { a: 1 };
    const seen: unknown[] = [];
    redactingLogger({ ...logger, info: (...a: unknown[]) => seen.push(...a) }, key).info(plain);
    expect(lines.join('\n')).not.toContain(key);
    expect(lines[0]).toBe('Error: request to /x?k=<sdk-key> failed');
    expect(lines[1]).toContain("authorization: '<sdk-key>'");
    expect(seen[0]).toBe(plain);
  });
});
