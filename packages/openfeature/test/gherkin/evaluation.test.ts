// OpenFeature's evaluation scenarios against SwitchyardProvider on a client fed by TestData (the flag set
// of flags.ts as LaunchDarkly JSON). The provider states other than "stable" come from a data source the
// test drives: one that never delivers (not ready; error after a 50 ms initTimeoutMs), one that fails as
// a 401 does (fatal), and one that reports its connection interrupted after the first data (stale).
import { OpenFeature, ProviderEvents } from '@openfeature/server-sdk';
import { TestData, init, type LDClient } from '@switchyard/node-server';

import { SwitchyardProvider } from '../../src/index.js';
import { recordingLogger, scriptedSource } from '../support.js';
import { specFlagsJson } from './flags.js';
import { defineEvaluationSuites, type GherkinTarget } from './harness.js';

defineEvaluationSuites('TestData', (): GherkinTarget => {
  const clients: LDClient[] = [];
  const client = (options: Parameters<typeof init>[1]) => {
    const c = init('sdk-gherkin', { sendEvents: false, logger: recordingLogger(), ...options });
    clients.push(c);
    return c;
  };
  return {
    async stableProvider() {
      const td = new TestData();
      for (const flag of Object.values(specFlagsJson())) await td.usePreconfiguredFlag(flag);
      return new SwitchyardProvider(client({ updateProcessor: td.getFactory() }), { standardReasons: true });
    },
    async providerIn(state, domain) {
      const source = scriptedSource();
      const provider = new SwitchyardProvider(client({ updateProcessor: source.factory }), { standardReasons: true, initTimeoutMs: state === 'error' ? 50 : 10_000 });
      switch (state) {
        case 'not ready':
          OpenFeature.setProvider(domain, provider);
          await source.started;
          return;
        case 'error':
          await OpenFeature.setProviderAndWait(domain, provider).then(
            () => Promise.reject(new Error('expected the initialization to time out')),
            () => undefined,
          );
          return;
        case 'fatal': {
          const pending = OpenFeature.setProviderAndWait(domain, provider);
          await source.started;
          source.fail(new Error('Authentication failed (HTTP 401)'));
          await pending.then(
            () => Promise.reject(new Error('expected the initialization to fail')),
            () => undefined,
          );
          return;
        }
        case 'stale': {
          const pending = OpenFeature.setProviderAndWait(domain, provider);
          await source.started;
          await source.deliver(specFlagsJson());
          await pending;
          const stale = new Promise<void>((resolve) => provider.events.addHandler(ProviderEvents.Stale, () => resolve()));
          source.status('INTERRUPTED', { kind: 'NETWORK_ERROR', message: 'connection reset' });
          await stale;
          return;
        }
      }
    },
    async close() {
      for (const c of clients.splice(0)) await c.close();
    },
  };
});
