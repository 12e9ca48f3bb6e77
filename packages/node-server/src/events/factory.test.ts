import { DefaultEventProcessor } from '@switchyard/core';
import { nullEventProcessor } from '@switchyard/core/internal';
import { CapturingLogger } from '@switchyard/core/testing';
import { afterEach, describe, expect, it } from 'vitest';

import { validateOptions } from '../validate-options.js';
import { createEventProcessor, diagnosticConfiguration, nodePlatformData } from './index.js';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((p) => p.close()));
});

describe('createEventProcessor', () => {
  it('returns the null processor when events are off or the SDK is offline', () => {
    expect(createEventProcessor('k', { sendEvents: false })).toBe(nullEventProcessor);
    expect(createEventProcessor('k', { offline: true })).toBe(nullEventProcessor);
  });

  it("validates LaunchDarkly's options (seconds, minimums, wrong types) without warning about the other URIs", async () => {
    const logger = new CapturingLogger();
    const processor = createEventProcessor(
      'k',
      { eventsUri: 'http://127.0.0.1:9', diagnosticOptOut: true, diagnosticRecordingInterval: 5, capacity: 'many' as never },
      logger,
    );
    open.push(processor);
    expect(processor).toBeInstanceOf(DefaultEventProcessor);
    expect([...logger.messages('warn')].sort()).toEqual([
      '[switchyard/node-server] option "capacity" should be a number, got string; using the default 10000',
      '[switchyard/node-server] option "diagnosticRecordingInterval" is 5, below its minimum 60; using 60',
    ]);
  });
});

describe('diagnostic-init data', () => {
  it("describes the configuration with LaunchDarkly's field names and units", () => {
    const config = validateOptions(
      { eventsUri: 'https://relay.example', baseUri: 'https://relay.example', streamUri: 'https://relay.example', stream: false, capacity: 500, flushInterval: 2, contextKeysFlushInterval: 60, proxyOptions: { host: 'p', auth: 'u:p' } },
      new CapturingLogger(),
    );
    expect(diagnosticConfiguration(config, { dataStoreType: 'Redis' })).toEqual({
      customBaseURI: true,
      customStreamURI: true,
      customEventsURI: true,
      eventsCapacity: 500,
      connectTimeoutMillis: 10_000,
      socketTimeoutMillis: 10_000,
      eventsFlushIntervalMillis: 2000,
      pollingIntervalMillis: 30_000,
      reconnectTimeMillis: 1000,
      contextKeysFlushIntervalMillis: 60_000,
      diagnosticRecordingIntervalMillis: 900_000,
      streamingDisabled: true,
      usingRelayDaemon: false,
      offline: false,
      allAttributesPrivate: false,
      contextKeysCapacity: 1000,
      usingProxy: true,
      usingProxyAuthenticator: true,
      dataStoreType: 'Redis',
    });
  });

  it('describes the platform as Node', () => {
    expect(nodePlatformData()).toMatchObject({ name: 'Node', nodeVersion: process.versions.node, osArch: process.arch });
  });
});
