import { encodeUtf8 } from './utf8-encode.js';

/**
 * SHA-1 (FIPS 180-4) in plain JavaScript, for LaunchDarkly's bucketing, which hashes short strings
 * like `"<flag>.<salt>.<key>"` on every rollout evaluation. On such inputs this is about three times
 * faster than `node:crypto` (whose cost is crossing into C++ and allocating a Hash object), and core must
 * not use Node APIs anyway. Not for security.
 */
/** The message schedule, kept as a rolling window of 16 words (word t lives at t & 15). */
const W = new Int32Array(16);
/**
 * The hash state h0..h4, in a typed array rather than module-level `let`s: those are context slots with
 * a TDZ check on every access, which made hashing half again slower.
 */
const H = new Int32Array(5);

/**
 * One 64-byte block (in `W[0..15]`) into the state `h0..h4`. One loop over the 80 rounds with the
 * schedule computed in place: measured faster in V8 than an 80-word schedule or four unrolled loops.
 */
function compress(): void {
  let a = H[0]!;
  let b = H[1]!;
  let c = H[2]!;
  let d = H[3]!;
  let e = H[4]!;
  for (let t = 0; t < 80; t++) {
    let w: number;
    if (t < 16) {
      w = W[t]!;
    } else {
      const x = W[(t + 13) & 15]! ^ W[(t + 8) & 15]! ^ W[(t + 2) & 15]! ^ W[t & 15]!;
      w = (x << 1) | (x >>> 31);
      W[t & 15] = w;
    }
    let f: number;
    if (t < 20) f = ((b & c) | (~b & d)) + 0x5a827999;
    else if (t < 40) f = (b ^ c ^ d) + 0x6ed9eba1;
    else if (t < 60) f = ((b & c) | (b & d) | (c & d)) + (0x8f1bbcdc | 0);
    else f = (b ^ c ^ d) + (0xca62c1d6 | 0);
    const temp = (((a << 5) | (a >>> 27)) + f + e + w) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = temp;
  }
  H[0] = (H[0]! + a) | 0;
  H[1] = (H[1]! + b) | 0;
  H[2] = (H[2]! + c) | 0;
  H[3] = (H[3]! + d) | 0;
  H[4] = (H[4]! + e) | 0;
}

function reset(): void {
  H[0] = 0x67452301;
  H[1] = 0xefcdab89 | 0;
  H[2] = 0x98badcfe | 0;
  H[3] = 0x10325476;
  H[4] = 0xc3d2e1f0 | 0;
}

/**
 * The common case, an ASCII string: message words are packed straight from the char codes, four at a
 * time, with no byte buffer in between. Returns false (having done nothing useful) for any other string.
 */
function digestAscii(text: string): boolean {
  const n = text.length;
  const totalWords = (((n + 8) >> 6) + 1) << 4;
  const fullWords = n >> 2;
  let high = 0;
  reset();
  let word = 0;
  for (let block = 0; block < totalWords; block += 16) {
    for (let t = 0; t < 16; t++, word++) {
      if (word < fullWords) {
        const p = word << 2;
        const a = text.charCodeAt(p);
        const b = text.charCodeAt(p + 1);
        const c = text.charCodeAt(p + 2);
        const d = text.charCodeAt(p + 3);
        high |= a | b | c | d;
        W[t] = (a << 24) | (b << 16) | (c << 8) | d;
      } else if (word === fullWords) {
        // The last, partial word: the remaining 0–3 chars, then the 0x80 terminator byte.
        let w = 0;
        const p = word << 2;
        for (let k = 0; k < 4; k++) {
          const q = p + k;
          const code = q < n ? text.charCodeAt(q) : q === n ? 0x80 : 0;
          if (q < n) high |= code;
          w = (w << 8) | code;
        }
        W[t] = w;
      } else {
        W[t] = 0;
      }
    }
    if (block + 16 === totalWords) {
      // The message length in bits, as a 64-bit big-endian integer, ends the last block.
      W[14] = Math.floor((n * 8) / 0x100000000);
      W[15] = (n * 8) | 0;
    }
    compress();
  }
  return high <= 0x7f;
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
  for (const h of H) out += (h >>> 0).toString(16).padStart(8, '0');
  return out;
}

/**
 * The first 15 hex digits (60 bits) of SHA-1 of `text` as a number, computed without building the hex
 * string: exactly what `parseInt(sha1Hex(text).slice(0, 15), 16)` gives (the same rounding to a double).
 */
export function sha1Prefix60(text: string): number {
  digest(text);
  return (H[0]! >>> 0) * 0x10000000 + (H[1]! >>> 4);
}
