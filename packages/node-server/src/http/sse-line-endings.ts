const CR = 13;
const LF = 10;

/**
 * Rewrites the line ends of a server-sent-events byte stream to LF, chunk by chunk. The SSE spec ends a
 * line at CRLF, at LF, or at a CR alone; this turns each of them into one LF as soon as its first byte
 * arrives (a CR is a complete line end, so nothing is held back), and drops the LF of a CRLF that was
 * split between two chunks. A CR or LF byte is never part of a multi-byte UTF-8 sequence, so working on
 * bytes is safe.
 */
export class SseLineEndings {
  /** The previous chunk ended with a CR: an LF starting the next one belongs to it. */
  private afterCR = false;

  /** The chunk with its line ends as LF (the same array when it has no CR; possibly empty). */
  push(chunk: Uint8Array): Uint8Array {
    const skipFirst = this.afterCR && chunk.length > 0 && chunk[0] === LF;
    if (chunk.length > 0) this.afterCR = chunk[chunk.length - 1] === CR;
    let cr = chunk.indexOf(CR);
    if (cr < 0) return skipFirst ? chunk.subarray(1) : chunk;
    const out = new Uint8Array(chunk.length);
    let n = 0;
    let i = skipFirst ? 1 : 0;
    while (cr >= 0) {
      out.set(chunk.subarray(i, cr), n);
      n += cr - i;
      out[n++] = LF;
      i = cr + 1;
      if (chunk[i] === LF) i++;
      cr = chunk.indexOf(CR, i);
    }
    out.set(chunk.subarray(i), n);
    n += chunk.length - i;
    return out.subarray(0, n);
  }
}
