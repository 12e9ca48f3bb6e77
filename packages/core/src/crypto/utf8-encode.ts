/**
 * UTF-8 encoding into a reusable scratch buffer (no `TextEncoder` in platform-neutral code, and
 * hashing short keys on the evaluation path should not allocate). The returned view is only valid
 * until the next call.
 */
let scratch = new Uint8Array(256);

export function encodeUtf8(text: string, reserve = 0): { bytes: Uint8Array; length: number } {
  const max = text.length * 3 + reserve;
  if (scratch.length < max) scratch = new Uint8Array(Math.max(max, scratch.length * 2));
  const out = scratch;
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      out[n++] = c;
    } else if (c < 0x800) {
      out[n++] = 0xc0 | (c >> 6);
      out[n++] = 0x80 | (c & 0x3f);
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      c = 0x10000 + ((c - 0xd800) << 10) + (text.charCodeAt(++i) - 0xdc00);
      out[n++] = 0xf0 | (c >> 18);
      out[n++] = 0x80 | ((c >> 12) & 0x3f);
      out[n++] = 0x80 | ((c >> 6) & 0x3f);
      out[n++] = 0x80 | (c & 0x3f);
    } else {
      if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd; // lone surrogate, as an encoder writes it
      out[n++] = 0xe0 | (c >> 12);
      out[n++] = 0x80 | ((c >> 6) & 0x3f);
      out[n++] = 0x80 | (c & 0x3f);
    }
  }
  return { bytes: out, length: n };
}

/** A fresh copy of the UTF-8 bytes of `text`. */
export function utf8Bytes(text: string): Uint8Array {
  const { bytes, length } = encodeUtf8(text);
  return bytes.slice(0, length);
}
