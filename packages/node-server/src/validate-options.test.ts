import { describe, expect, it } from 'vitest';

import { CapturingLogger } from '@switchyard/core/testing';

import { applicationTags, validateOptions } from './validate-options.js';

describe('validateOptions', () => {
  it("fills in LaunchDarkly's defaults and converts seconds to milliseconds", () => {
    const config = validateOptions({}, new CapturingLogger());
    expect(config).toMatchObject({
      baseUri: 'https://sdk.launchdarkly.com',
      streamUri: 'https://stream.launchdarkly.com',
      eventsUri: 'https://events.launchdarkly.com',
      stream: true,
      streamInitialReconnectDelayMs: 1000,
      timeoutMs: 10_000,
      capacity: 10_000,
      flushIntervalMs: 5000,
      pollIntervalMs: 30_000,
      contextKeysCapacity: 1000,
      contextKeysFlushIntervalMs: 300_000,
      diagnosticRecordingIntervalMs: 900_000,
      offline: false,
      useLdd: false,
      sendEvents: true,
    });
  });

  it('warns about an unknown option, naming it', () => {
    const logger = new CapturingLogger();
    validateOptions({ streamUrl: 'x', somethingElse: 1 } as never, logger);
    expect(logger.messages('warn')).toEqual([
      '[switchyard/node-server] unknown option "streamUrl" is ignored (did you mean "streamUri"?)',
      '[switchyard/node-server] unknown option "somethingElse" is ignored',
    ]);
  });

  it('suggests the option a misspelt or miscased name meant', () => {
    const logger = new CapturingLogger();
    validateOptions({ pollIntervall: 60, FlushInterval: 2, sendevents: false } as never, logger);
    expect(logger.messages('warn')).toEqual([
      '[switchyard/node-server] unknown option "pollIntervall" is ignored (did you mean "pollInterval"?)',
      '[switchyard/node-server] unknown option "FlushInterval" is ignored (did you mean "flushInterval"?)',
      '[switchyard/node-server] unknown option "sendevents" is ignored (did you mean "sendEvents"?)',
    ]);
  });

  it('raises event and reconnect settings that make no sense to their minimum', () => {
    const logger = new CapturingLogger();
    const config = validateOptions({ capacity: -5, flushInterval: 0, contextKeysFlushInterval: 0, streamInitialReconnectDelay: -1 }, logger);
    expect(config.capacity).toBe(1);
    expect(logger.messages('warn')).toContain('[switchyard/node-server] option "capacity" is -5, below its minimum 1; using 1');
    expect(logger.messages('warn')).toHaveLength(4);
  });

  it('warns about a mistyped option and names the default used instead', () => {
    const logger = new CapturingLogger();
    const config = validateOptions({ timeout: '5' as never, capacity: 'lots' as never, baseUri: 42 as never }, logger);
    expect(config.timeoutMs).toBe(10_000);
    expect(config.capacity).toBe(10_000);
    expect(logger.messages('warn')).toContain('[switchyard/node-server] option "timeout" should be a number, got string; using the default 10');
    expect(logger.messages('warn')).toContain('[switchyard/node-server] option "baseUri" should be a string, got number; using the default "https://sdk.launchdarkly.com"');
  });

  it('coerces a non-boolean to a boolean and raises numbers to their minimum, with warnings', () => {
    const logger = new CapturingLogger();
    const config = validateOptions({ stream: 0 as never, pollInterval: 1, diagnosticRecordingInterval: 10, timeout: 0.5 }, logger);
    expect(config.stream).toBe(false);
    expect(config.pollIntervalMs).toBe(30_000);
    expect(config.diagnosticRecordingIntervalMs).toBe(60_000);
    expect(config.timeoutMs).toBe(1000);
    expect(logger.messages('warn')).toHaveLength(4);
  });

  it('strips trailing slashes and warns when only some URIs are set', () => {
    const logger = new CapturingLogger();
    const config = validateOptions({ streamUri: 'http://relay:8030/' }, logger);
    expect(config.streamUri).toBe('http://relay:8030');
    expect(logger.messages('warn').join('\n')).toMatch(/without specifying "baseUri"/);
    expect(logger.messages('warn').join('\n')).toMatch(/without specifying "eventsUri"/);
  });

  it('rejects a payload filter key that does not match the pattern', () => {
    const logger = new CapturingLogger();
    expect(validateOptions({ payloadFilterKey: '-bad key' }, logger).payloadFilterKey).toBeUndefined();
    expect(validateOptions({ payloadFilterKey: 'mobile_1.x' }, logger).payloadFilterKey).toBe('mobile_1.x');
  });

  it('accepts an updateProcessor given as an object with getFactory (TestData) or as a factory', () => {
    const factory = () => ({ start() {}, close() {} });
    expect(validateOptions({ updateProcessor: { getFactory: () => factory } }, new CapturingLogger()).updateProcessor).toBe(factory);
    expect(validateOptions({ updateProcessor: factory }, new CapturingLogger()).updateProcessor).toBe(factory);
  });
});

describe('applicationTags', () => {
  it('sorts the tags and drops invalid values with a warning', () => {
    const logger = new CapturingLogger();
    expect(applicationTags({ version: '1.0', id: 'my-app', name: 'bad name!' }, logger)).toBe('application-id/my-app application-version/1.0');
    expect(logger.messages('warn').join('\n')).toMatch(/application-name/);
    expect(applicationTags({ id: 'x'.repeat(65) }, logger)).toBeUndefined();
  });
});
