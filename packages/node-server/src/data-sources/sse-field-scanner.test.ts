import { describe, expect, it } from 'vitest';

import { SseLineEndings } from '../http/sse-line-endings.js';
import { STYLES, splits, sseStream } from '../http/sse-test-stream.test-support.js';
import { SseFieldScanner } from './streaming.js';

/** Every kind of line the SSE spec has, after a leading BOM (the first line is a field of interest). */
const LINES = [
  'retry: 1500',
  ':ok',
  '',
  'event: put',
  'id: 1',
  'data: {"path":"/","data":{}}',
  '',
  ': event: not-a-field',
  'event:patch',
  'data: line one',
  'data:line two',
  '',
  'event:  spaced ',
  'data: x',
  '',
  'retry:',
  'retry: 12a',
  'retry: 1e3',
  'retry:  300',
  'retry:250',
  'retryx: 9',
  'eventful: no',
  'data: event: not-a-field either',
  'event',
  'data',
  '',
  `event: ${'é'.repeat(10)}`,
  `data: ${'x'.repeat(5000)}`,
  '',
  'event: delete',
  'data: {"path":"/flags/f","version":3}',
  '',
];

/** What the spec makes of those lines' `event` and `retry` fields. */
const EXPECTED = [
  ['retry', '1500'],
  ['event', 'put'],
  ['event', 'patch'],
  ['event', ' spaced '],
  ['retry', '250'],
  ['event', 'message'],
  ['event', 'é'.repeat(10)],
  ['event', 'delete'],
];

const stream = (eol: string) => sseStream(LINES, eol);

/** The fields found in `chunks`, fed as the HTTP client feeds them: line ends turned into LF first. */
function scan(chunks: readonly Uint8Array[]): string[][] {
  const fields: string[][] = [];
  const scanner = new SseFieldScanner((field, value) => fields.push([field, value]));
  const lineEndings = new SseLineEndings();
  for (const chunk of chunks) scanner.feed(lineEndings.push(chunk));
  return fields;
}

describe('SseFieldScanner', () => {
  it.each(STYLES)('finds the same event and retry fields in a stream with %s line ends at every chunk boundary', (_name, eol) => {
    for (const chunks of splits(stream(eol))) expect(scan(chunks)).toEqual(EXPECTED);
  });

  it('reads a CRLF split across chunks as one line end, not an empty line', () => {
    expect(scan([Buffer.from('event: a\r'), Buffer.from('\nretry: 5\r'), Buffer.from('\n\r'), Buffer.from('\nevent: b\r\n')])).toEqual([
      ['event', 'a'],
      ['retry', '5'],
      ['event', 'b'],
    ]);
  });

  it('ignores bytes that only start like a BOM, with the rest of their line', () => {
    expect(scan([Uint8Array.of(0xef, 0xbb), Buffer.from('event: x\nevent: y\n')])).toEqual([['event', 'y']]);
  });
});
