import { expect, it } from 'vitest';

import { CapturingLogger } from './index.js';

it('records every call by level and renders errors by message', () => {
  const log = new CapturingLogger();
  log.warn('option', 'x', 'ignored');
  log.error(new Error('boom'));
  log.info({ a: 1 });
  expect(log.messages('warn')).toEqual(['option x ignored']);
  expect(log.messages('error')).toEqual(['boom']);
  expect(log.text()).toBe('warn: option x ignored\nerror: boom\ninfo: {"a":1}');
  log.clear();
  expect(log.lines).toEqual([]);
});
