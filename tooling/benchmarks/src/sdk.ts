/**
 * Both SDKs behind one small interface, configured alike: the fake flag service for streaming, polling
 * and events, diagnostics off, a silent logger. Switchyard's public API is LaunchDarkly's, so the adapter
 * is mostly pass-through; it exists so that a scenario cannot configure one SDK differently by accident.
 */
import { createHash, type Hash } from 'node:crypto';

import { init as ldInit, type LDOptions as LaunchDarklyOptions } from '@launchdarkly/node-server-sdk';
import { init as syInit, type LDOptions as SwitchyardOptions } from '@switchyard/node-server';

import type { SdkName } from './protocol.js';

/** The SDK key both SDKs send to the fake service. */
export const SDK_KEY = 'sdk-benchmark-key';

const quiet = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };

/** An evaluation detail as both SDKs return it. */
export interface Detail {
  readonly value: unknown;
  readonly variationIndex?: number | null;
  readonly reason: unknown;
}

/** What the scenarios call. */
export interface BenchClient {
  readonly sdk: SdkName;
  variation(key: string, context: object, defaultValue: unknown): Promise<unknown>;
  variationDetail(key: string, context: object, defaultValue: unknown): Promise<Detail>;
  /** Switchyard's synchronous path; undefined for LaunchDarkly, which has none. */
  readonly variationSync: ((key: string, context: object, defaultValue: unknown) => unknown) | undefined;
  allFlagsState(context: object): Promise<{ toJSON(): unknown }>;
  /** Calls `listener` with the key of every `update` event. */
  onUpdate(listener: (key: string) => void): void;
  waitForInitialization(timeoutSeconds: number): Promise<unknown>;
  flush(): Promise<void>;
  close(): void;
}

/** Options common to both SDKs. */
export interface BenchClientOptions {
  readonly serviceUrl: string;
  readonly sendEvents: boolean;
  /** Extra options for this SDK (a feature store, daemon mode). */
  readonly extra?: Record<string, unknown>;
}

/** Creates a client of `sdk` against the fake service. */
export function createClient(sdk: SdkName, options: BenchClientOptions): BenchClient {
  const common = {
    baseUri: options.serviceUrl,
    streamUri: options.serviceUrl,
    eventsUri: options.serviceUrl,
    sendEvents: options.sendEvents,
    diagnosticOptOut: true,
    logger: quiet,
    ...options.extra,
  };
  if (sdk === 'switchyard') {
    const client = syInit(SDK_KEY, common as SwitchyardOptions);
    return {
      sdk,
      variation: (k, c, d) => client.variation(k, c as never, d),
      variationDetail: (k, c, d) => client.variationDetail(k, c as never, d),
      variationSync: (k, c, d) => client.variationSync(k, c as never, d),
      allFlagsState: (c) => client.allFlagsState(c as never),
      onUpdate: (listener) => client.on('update', (e: { key: string }) => listener(e.key)),
      waitForInitialization: (timeout) => client.waitForInitialization({ timeout }),
      flush: () => client.flush(),
      close: () => void client.close(),
    };
  }
  const client = ldInit(SDK_KEY, common as LaunchDarklyOptions);
  return {
    sdk,
    variation: (k, c, d) => client.variation(k, c as never, d),
    variationDetail: (k, c, d) => client.variationDetail(k, c as never, d),
    variationSync: undefined,
    allFlagsState: (c) => client.allFlagsState(c as never),
    onUpdate: (listener) => client.on('update', (e: { key: string }) => listener(e.key)),
    waitForInitialization: (timeout) => client.waitForInitialization({ timeout }),
    flush: () => client.flush(),
    close: () => client.close(),
  };
}

/** A running digest of evaluation results: the same answers in the same order give the same hex string. */
export class Digest {
  private readonly hash: Hash = createHash('sha256');
  count = 0;

  add(result: unknown): void {
    this.hash.update(JSON.stringify(result));
    this.hash.update('\n');
    this.count++;
  }

  hex(): string {
    return this.hash.digest('hex').slice(0, 16);
  }
}
