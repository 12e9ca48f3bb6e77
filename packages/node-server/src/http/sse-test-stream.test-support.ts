// Shared by the SSE tests (not a test file itself): line-end styles, a stream of lines, and every way to
// chunk it.

/** The three line ends the SSE spec allows. */
export const STYLES = [
  ['LF', '\n'],
  ['CR', '\r'],
  ['CRLF', '\r\n'],
] as const;

/** `lines`, each ended with `eol`, after a leading UTF-8 BOM. */
export function sseStream(lines: readonly string[], eol: string): Uint8Array {
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(lines.map((line) => line + eol).join(''), 'utf8')]);
}

/** Every way to cut `bytes` in two, plus all of it at once and one byte per chunk. */
export function splits(bytes: Uint8Array): Uint8Array[][] {
  const out: Uint8Array[][] = [[bytes], Array.from(bytes, (b) => Uint8Array.of(b))];
  for (let i = 1; i < bytes.length; i++) out.push([bytes.subarray(0, i), bytes.subarray(i)]);
  return out;
}
