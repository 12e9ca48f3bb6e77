import { afterEach, expect, it } from 'vitest';

import { boolFlag, harness, until, type Harness } from './support.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const user = { kind: 'user', key: 'u1' };

it.each([
  ['LF', '\n'],
  ['CR', '\r'],
  ['CRLF', '\r\n'],
] as const)('initializes from a stream whose lines end with %s, and applies its patches, deletes and event names', async (_name, eol) => {
  h = await harness({ flags: { a: boolFlag('a') } });
  h.fake.stream.lineEnding = eol;
  const client = h.client();
  await client.waitForInitialization({ timeout: 5 });
  expect(client.variationSync('a', user, 'dflt')).toBe(true);

  h.fake.stream.patch('flags', boolFlag('a', 2, { on: false }));
  await until(() => client.variationSync('a', user, 'dflt') === false, 5000, 'the patch');
  h.fake.stream.sendRaw(`: heartbeat${eol}`);
  h.fake.stream.send('surprise', '{}');
  h.fake.stream.delete('flags', 'a', 3);
  await until(() => client.variationDetailSync('a', user, 'dflt').reason.errorKind === 'FLAG_NOT_FOUND', 5000, 'the delete');
  expect(h.logger.messages('info').join('\n')).toContain('unexpected event "surprise" found in the stream; ignored');
  expect(h.fake.stream.connections).toHaveLength(1);
});
