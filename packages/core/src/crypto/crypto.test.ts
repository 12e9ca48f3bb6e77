import { createHash, createHmac } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { hmacSha256, sha1Hex, sha1Prefix60, sha256Base64, toBase64, toHex } from './index.js';

function randomText(n: number): string {
  // Includes multibyte characters, astral symbols and lone surrogates.
  const pool = ['a', 'Z', '.', ':', '%', 'é', '€', '日', '😀', '\ud800', '\udfff', ' ', '~', '/'];
  return Array.from({ length: n }, () => pool[Math.floor(Math.random() * pool.length)]).join('');
}

const lengths = [0, 1, 3, 55, 56, 57, 63, 64, 65, 119, 120, 200, 1000];

describe('sha1Hex', () => {
  it.each(lengths)('matches node:crypto for %i-character inputs', (n) => {
    for (let i = 0; i < 20; i++) {
      const text = randomText(n);
      expect(sha1Hex(text)).toBe(createHash('sha1').update(text, 'utf8').digest('hex'));
    }
  });

  it('matches node:crypto for ASCII text of every length up to three blocks (the fast path)', () => {
    for (let n = 0; n <= 192; n++) {
      const text = Array.from({ length: n }, (_, i) => String.fromCharCode(32 + ((i * 7 + n) % 95))).join('');
      expect(sha1Hex(text), `length ${n}`).toBe(createHash('sha1').update(text, 'utf8').digest('hex'));
    }
  });

  it('gives the 60-bit prefix LaunchDarkly bucketing uses, rounded exactly like parseInt', () => {
    for (let i = 0; i < 500; i++) {
      const text = `flag.salt.${randomText(10)}`;
      const hex = createHash('sha1').update(text, 'utf8').digest('hex');
      expect(sha1Prefix60(text)).toBe(parseInt(hex.substring(0, 15), 16));
    }
  });
});

describe('sha256 and HMAC', () => {
  it.each(lengths)('sha256Base64 matches node:crypto for %i-character inputs', (n) => {
    for (let i = 0; i < 10; i++) {
      const text = randomText(n);
      expect(sha256Base64(text)).toBe(createHash('sha256').update(text, 'utf8').digest('base64'));
    }
  });

  it('hmacSha256 matches node:crypto, including keys longer than a block', () => {
    for (const keyLength of [0, 10, 64, 65, 200]) {
      const key = randomText(keyLength);
      const message = randomText(50);
      expect(toHex(hmacSha256(key, message))).toBe(createHmac('sha256', key).update(message, 'utf8').digest('hex'));
    }
  });

  it('encodes base64 with padding', () => {
    for (let n = 0; n < 10; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + 11) & 255);
      expect(toBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
    }
  });
});
