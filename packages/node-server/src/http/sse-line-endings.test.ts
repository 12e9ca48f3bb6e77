import { EventSource, type FetchLike } from 'eventsource';
import { describe, expect, it } from 'vitest';

import { SseLineEndings } from './sse-line-endings.js';
import { STYLES, splits, sseStream } from './sse-test-stream.test-support.js';

/**
 * A stream with every kind of line the SSE spec has: a leading BOM, comments, `retry:` (valid and not),
 * `id:`, multi-line data, fields without a space after the colon or without a colon at all, an event
 * name with spaces, and an event with no data (not dispatched).
 */
const LINES = [
  'retry: 1500',
  ':ok',
  '',
  'event: put',
  'id: 1',
  'data: {"path":"/","data":{}}',
  '',
  ': heartbeat',
  'event:patch',
  'data: line one',
  'data:line two',
  '',
  'event:  spaced ',
  'data: x',
  '',
  'retry:',
  'retry: 12a',
  'retry:250',
  'event: nothing',
  '',
  'event',
  'data',
  '',
  'event: delete',
  'data: {"path":"/flags/f","version":3}',
  '',
];

const stream = (eol: string) => sseStream(LINES, eol);

interface Seen {
  readonly type: string;
  readonly data: string;
}

/**
 * Runs chunks through the line-end normalizer and the `eventsource` package's own parser (the SSE client
 * the streaming data source uses), as the HTTP client's body reader does, until the stream ends.
 */
async function parseWithEventSource(chunks: readonly Uint8Array[]): Promise<Seen[]> {
  const lineEndings = new SseLineEndings();
  const pending = chunks.map((chunk) => lineEndings.push(chunk));
  const fetch: FetchLike = () =>
    Promise.resolve({
      status: 200,
      url: 'http://sse.test/all',
      redirected: false,
      headers: { get: (name: string) => (name.toLowerCase() === 'content-type' ? 'text/event-stream' : null) },
      body: {
        getReader: () => ({
          read: () => {
            const value = pending.shift();
            return Promise.resolve(value === undefined ? { done: true as const, value: undefined } : { done: false as const, value });
          },
          cancel: () => Promise.resolve(),
        }),
      },
    }) as unknown as ReturnType<FetchLike>;
  const seen: Seen[] = [];
  const source = new EventSource('http://sse.test/all', { fetch });
  for (const type of ['put', 'patch', ' spaced ', 'nothing', 'message', 'delete']) {
    source.addEventListener(type, (event: MessageEvent) => seen.push({ type, data: String(event.data) }));
  }
  await new Promise<void>((resolve) => {
    // The end of the stream is reported as an error; the SSE client arms its reconnect timer right after,
    // so it is closed once that dispatch is over.
    source.addEventListener('error', () => queueMicrotask(() => {
      source.close();
      resolve();
    }));
  });
  return seen;
}

const EXPECTED: Seen[] = [
  { type: 'put', data: '{"path":"/","data":{}}' },
  { type: 'patch', data: 'line one\nline two' },
  { type: ' spaced ', data: 'x' },
  { type: 'message', data: '' },
  { type: 'delete', data: '{"path":"/flags/f","version":3}' },
];

describe('SseLineEndings', () => {
  it.each(STYLES)('turns %s line ends into LF, whatever the chunking', (_name, eol) => {
    const expected = Buffer.from(stream('\n')).toString('latin1');
    for (const chunks of splits(stream(eol))) {
      const lineEndings = new SseLineEndings();
      const out = chunks.map((chunk) => Buffer.from(lineEndings.push(chunk)).toString('latin1')).join('');
      expect(out).toBe(expected);
    }
  });

  it('drops the LF of a CRLF split between chunks, and only that one', () => {
    const lineEndings = new SseLineEndings();
    const out = [Buffer.from('a\r'), Buffer.from('\nb\r'), Buffer.from('\n'), Buffer.from('\nc\r'), Buffer.from('\r\n')].map((c) =>
      Buffer.from(lineEndings.push(c)).toString(),
    );
    expect(out).toEqual(['a\n', 'b\n', '', '\nc\n', '\n']);
  });

  it('passes a chunk without CR through as is', () => {
    const chunk = Buffer.from('data: x\n\n');
    expect(new SseLineEndings().push(chunk)).toBe(chunk);
  });
});

describe('the SSE client behind the line-end normalizer', () => {
  it.each(STYLES)('dispatches the same events for %s line ends at every chunk boundary', async (_name, eol) => {
    for (const chunks of splits(stream(eol))) {
      expect(await parseWithEventSource(chunks)).toEqual(EXPECTED);
    }
  });
});
