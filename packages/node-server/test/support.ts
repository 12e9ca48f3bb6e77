import { startFakeLaunchDarkly, type FakeLaunchDarkly, type FakePayload } from '@switchyard/fake-launchdarkly';
import { CapturingLogger } from '@switchyard/core/testing';

import { SwitchyardClient, type ClientInternalOptions } from '../src/client/client.js';
import type { LDOptions } from '../src/options.js';

/** The SDK key used by tests; asserted never to appear in logs or errors. */
export const SDK_KEY = 'sdk-0123-secret-key-4567';

/** A boolean flag serving `fallthrough` (variation index) when on. */
export function boolFlag(key: string, version = 1, extra: Record<string, unknown> = {}) {
  return { key, version, on: true, variations: [false, true], offVariation: 0, fallthrough: { variation: 1 }, salt: key, ...extra };
}

export const FAST: ClientInternalOptions = { streamMaxReconnectDelayMs: 200, random: () => 0 };

export interface Harness {
  fake: FakeLaunchDarkly;
  logger: CapturingLogger;
  client(options?: LDOptions, internal?: ClientInternalOptions): SwitchyardClient;
  close(): Promise<void>;
}

/** Starts a fake LaunchDarkly and makes clients pointed at it (fast reconnects, events off, captured logs). */
export async function harness(data?: Partial<FakePayload>): Promise<Harness> {
  const fake = await startFakeLaunchDarkly({ data });
  const logger = new CapturingLogger();
  const clients: SwitchyardClient[] = [];
  return {
    fake,
    logger,
    client(options = {}, internal = FAST) {
      const c = new SwitchyardClient(
        SDK_KEY,
        {
          baseUri: fake.url,
          streamUri: fake.url,
          eventsUri: fake.url,
          sendEvents: false,
          streamInitialReconnectDelay: 0.01,
          logger,
          ...options,
        },
        internal,
      );
      clients.push(c);
      return c;
    },
    async close() {
      await Promise.all(clients.map((c) => c.close()));
      await fake.close();
    },
  };
}

/** Polls `check` until it is true (rejects after `timeoutMs`). */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
