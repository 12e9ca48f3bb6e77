import { ConfigError } from '@switchyard/core';
import { CapturingLogger } from '@switchyard/core/testing';
import { expect, it } from 'vitest';

import { SwitchyardClient } from '../client/client.js';
import { validateOptions } from '../validate-options.js';

it('cluster: true takes the defaults; an object sets them in milliseconds', () => {
  const logger = new CapturingLogger();
  expect(validateOptions({ cluster: true }, logger).cluster).toEqual({ eventForwardIntervalMs: 1000, primaryTimeoutMs: 5000 });
  expect(validateOptions({ cluster: { eventForwardIntervalMs: 250, primaryTimeoutMs: 2000 } }, logger).cluster).toEqual({
    eventForwardIntervalMs: 250,
    primaryTimeoutMs: 2000,
  });
  expect(validateOptions({ cluster: false }, logger).cluster).toBeUndefined();
  expect(validateOptions({}, logger).cluster).toBeUndefined();
  expect(logger.lines).toHaveLength(0);
});

it('a wrong cluster value warns, naming the option, and uses the default', () => {
  const logger = new CapturingLogger();
  expect(validateOptions({ cluster: 'yes' as unknown as boolean }, logger).cluster).toBeUndefined();
  expect(validateOptions({ cluster: { eventForwardIntervalMs: 5, primaryTimeoutMs: 'soon' as unknown as number, forwardMs: 1 } as never }, logger).cluster).toEqual({
    eventForwardIntervalMs: 100,
    primaryTimeoutMs: 5000,
  });
  const warnings = logger.messages('warn').join('\n');
  expect(warnings).toMatch(/option "cluster" should be a boolean or an object, got string/);
  expect(warnings).toMatch(/"cluster.eventForwardIntervalMs" is 5, below its minimum 100; using 100/);
  expect(warnings).toMatch(/"cluster.primaryTimeoutMs" should be a number of milliseconds, got string; using the default 5000/);
  expect(warnings).toMatch(/unknown option "cluster.forwardMs" is ignored/);
});

it('cluster mode with daemon mode is a configuration error: the client fails to initialize and says why', async () => {
  const logger = new CapturingLogger();
  const client = new SwitchyardClient('sdk-key', { useLdd: true, cluster: true, sendEvents: false, logger });
  try {
    const failure = await client.waitForInitialization({ timeout: 5 }).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ConfigError);
    expect((failure as Error).message).toMatch(/cluster and useLdd cannot be combined/);
    expect(await client.variation('f', { key: 'u' }, 'dflt')).toBe('dflt');
  } finally {
    await client.close();
  }
});

it('offline turns cluster mode off: no hub, no replica, defaults as usual', async () => {
  const client = new SwitchyardClient('sdk-key', { offline: true, cluster: true, logger: new CapturingLogger() });
  try {
    await client.waitForInitialization({ timeout: 1 });
    expect(await client.variation('f', { key: 'u' }, 'dflt')).toBe('dflt');
  } finally {
    await client.close();
  }
});
