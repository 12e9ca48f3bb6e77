// OpenFeature's evaluation scenarios against SwitchyardProvider on a client of the local flag service
// (real HTTP streaming), its data file holding the flag set of flags.ts. The other provider states are
// real too: each such client connects through its own fault proxy (not ready: the proxy never answers;
// error: the same with a 50 ms initTimeoutMs; stale: the proxy starts refusing after the first data),
// or with a wrong SDK key (fatal: the service answers 401).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startFlagService, type FlagService } from '@switchyard/app-flag-service';
import { startFaultProxy, type FaultProxy } from '@switchyard/test-services';
import { OpenFeature, ProviderEvents } from '@openfeature/server-sdk';

import { SwitchyardProvider } from '../../src/index.js';
import { recordingLogger } from '../support.js';
import { specFlagsJson } from './flags.js';
import { defineEvaluationSuites, type GherkinTarget } from './harness.js';

const SDK_KEY = 'sdk-gherkin';

defineEvaluationSuites('flag service', (): GherkinTarget => {
  let dir: string | undefined;
  let service: FlagService | undefined;
  const proxies: FaultProxy[] = [];

  const start = async (): Promise<FlagService> => {
    if (service) return service;
    dir = await mkdtemp(join(tmpdir(), 'openfeature-gherkin-'));
    const dataFile = join(dir, 'flags.json');
    await writeFile(dataFile, JSON.stringify({ flags: specFlagsJson(), segments: {} }));
    service = await startFlagService({ port: 0, sdkKey: SDK_KEY, dataFile, log: () => undefined });
    return service;
  };
  const provider = (url: string, options: { sdkKey?: string; initTimeoutMs?: number } = {}) =>
    new SwitchyardProvider(options.sdkKey ?? SDK_KEY, {
      standardReasons: true,
      initTimeoutMs: options.initTimeoutMs ?? 10_000,
      clientOptions: { baseUri: url, streamUri: url, eventsUri: url, sendEvents: false, streamInitialReconnectDelay: 0.05, logger: recordingLogger() },
    });
  const viaProxy = async (): Promise<{ proxy: FaultProxy; url: string }> => {
    const s = await start();
    const proxy = await startFaultProxy({ target: { port: s.port } });
    proxies.push(proxy);
    return { proxy, url: `http://${proxy.host}:${proxy.port}` };
  };

  return {
    async stableProvider() {
      return provider((await start()).url);
    },
    async providerIn(state, domain) {
      switch (state) {
        case 'not ready': {
          const { proxy, url } = await viaProxy();
          proxy.setMode('blackhole');
          OpenFeature.setProvider(domain, provider(url));
          return;
        }
        case 'error': {
          const { proxy, url } = await viaProxy();
          proxy.setMode('blackhole');
          await OpenFeature.setProviderAndWait(domain, provider(url, { initTimeoutMs: 50 })).then(
            () => Promise.reject(new Error('expected the initialization to time out')),
            () => undefined,
          );
          return;
        }
        case 'fatal':
          await OpenFeature.setProviderAndWait(domain, provider((await start()).url, { sdkKey: 'sdk-wrong' })).then(
            () => Promise.reject(new Error('expected the initialization to fail with 401')),
            () => undefined,
          );
          return;
        case 'stale': {
          const { proxy, url } = await viaProxy();
          const p = provider(url);
          await OpenFeature.setProviderAndWait(domain, p);
          const stale = new Promise<void>((resolve) => p.events.addHandler(ProviderEvents.Stale, () => resolve()));
          proxy.setMode('refuse');
          await stale;
          return;
        }
      }
    },
    async close() {
      for (const proxy of proxies.splice(0)) await proxy.stop();
      await service?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  };
});
