import { encodeUtf8 } from './utf8-encode.js';

/**
 * SHA-1 (FIPS 180-4) in plain JavaScript, for LaunchDarkly's bucketing, which hashes short strings
 * like `"<flag>.<salt>.<key>"` on every rollout evaluation. On such inputs this is about three times
 * faster than `node:crypto` (whose cost is crossing into C++ and allocating a Hash object), and core must
 * not use Node APIs anyway. Not for security.
 */
const W = new Int32Array(80);
let h0 = 0;
let h1 = 0;
let h2 = 0;
let h3 = 0;
let h4 = 0;

/** One 64-byte block (in `W[0..15]`) into the state `h0..h4`. */
function compress(): void {
  for (let t = 16; t < 80; t++) {
    const x = W[t - 3]! ^ W[t - 8]! ^ W[t - 14]! ^ W[t - 16]!;
    W[t] = (x << 1) | (x >>> 31);
  }
  let a = h0;
  let b = h1;
  let c = h2;
  let d = h3;
  let e = h4;
  let t = 0;
  // Four loops instead of one with a branch per round: the round function is fixed within each.
  for (; t < 20; t++) {
    const temp = (((a << 5) | (a >>> 27)) + ((b & c) | (~b & d)) + e + 0x5a827999 + W[t]!) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = temp;
  }
  for (; t < 40; t++) {
    const temp = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0x6ed9eba1 + W[t]!) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = temp;
  }
  for (; t < 60; t++) {
    const temp = (((a << 5) | (a >>> 27)) + ((b & c) | (b & d) | (c & d)) + e + (0x8f1bbcdc | 0) + W[t]!) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = temp;
  }
  for (; t < 80; t++) {
    const temp = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + (0xca62c1d6 | 0) + W[t]!) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = temp;
  }
  h0 = (h0 + a) | 0;
  h1 = (h1 + b) | 0;
  h2 = (h2 + c) | 0;
  h3 = (h3 + d) | 0;
  h4 = (h4 + e) | 0;
}

function reset(): void {
  h0 = 0x67452301;
  h1 = 0xefcdab89 | 0;
  h2 = 0x98badcfe | 0;
  h3 = 0x10325476;
  h4 = 0xc3d2e1f0 | 0;
}

/**
 * The common case, an ASCII string: message words are packed straight from the char codes, with no
 * byte buffer in between. Returns false (having done nothing) for any other string.
 */
function digestAscii(text: string): boolean {
  const n = text.length;
  for (let i = 0; i < n; i++) if (text.charCodeAt(i) > 0x7f) return false;
  const totalWords = (((n + 8) >> 6) + 1) << 4;
  reset();
  for (let block = 0; block < totalWords; block += 16) {
    for (let t = 0; t < 16; t++) {
      const base = (block + t) << 2;
      let w = 0;
      for (let k = 0; k < 4; k++) {
        const p = base + k;
        w = (w << 8) | (p < n ? text.charCodeAt(p) : p === n ? 0x80 : 0);
      }
      W[t] = w;
    }
    if (block + 16 === totalWords) {
      // The message length in bits, as a 64-bit big-endian integer, ends the last block.
      W[14] = Math.floor((n * 8) / 0x100000000);
      W[15] = (n * 8) | 0;
    }
    compress();
  }
  return true;
}

function digest(text: string): void {
  if (digestAscii(text)) return;
  const { bytes, length } = encodeUtf8(text, 72);
  const total = ((length + 8) >> 6) * 64 + 64;
  bytes[length] = 0x80;
  bytes.fill(0, length + 1, total);
  const bits = length * 8;
  bytes[total - 5] = Math.floor(bits / 0x100000000);
  bytes[total - 4] = bits >>> 24;
  bytes[total - 3] = bits >>> 16;
  bytes[total - 2] = bits >>> 8;
  bytes[total - 1] = bits;
  reset();
  for (let off = 0; off < total; off += 64) {
    for (let t = 0; t < 16; t++) {
      const p = off + (t << 2);
      W[t] = (bytes[p]! << 24) | (bytes[p + 1]! << 16) | (bytes[p + 2]! << 8) | bytes[p + 3]!;
    }
    compress();
  }
}

/** SHA-1 of the UTF-8 bytes of `text`, as 40 lowercase hex characters. */
export function sha1Hex(text: string): string {
  digest(text);
  let out = '';
  for (const h of [h0, h1, h2, h3, h4]) out += (h >>> 0).toString(16).padStart(8, '0');
  return out;
}

/**
 * The first 15 hex digits (60 bits) of SHA-1 of `text` as a number, computed without building the hex
 * string: exactly what `parseInt(sha1Hex(text).slice(0, 15), 16)` gives (the same rounding to a double).
 */
export function sha1Prefix60(text: string): number {
  digest(text);
  return (h0 >>> 0) * 0x10000000 + (h1 >>> 4);
}
