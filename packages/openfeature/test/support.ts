// Helpers for the provider's tests: a logger that keeps what it is told, a data source the test drives
// (status changes, the first data, a permanent failure), and a recorder of provider events.
import { ProviderEvents, type EventDetails } from '@openfeature/server-sdk';
import type { DataSourceFactory, DataSourceState, DataSourceErrorInfo, LDLogger } from '@switchyard/node-server';

import type { SwitchyardProvider } from '../src/index.js';

/** A logger that keeps every line, by level. */
export interface RecordingLogger extends LDLogger {
  readonly lines: { level: 'debug' | 'info' | 'warn' | 'error'; message: string }[];
  messages(level: 'debug' | 'info' | 'warn' | 'error'): string[];
}

export function recordingLogger(): RecordingLogger {
  const lines: RecordingLogger['lines'] = [];
  const log = (level: RecordingLogger['lines'][number]['level']) => (...args: unknown[]) => {
    lines.push({ level, message: args.map(String).join(' ') });
  };
  return {
    lines,
    messages: (level) => lines.filter((l) => l.level === level).map((l) => l.message),
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
  };
}

/** What a {@link scriptedSource} lets the test do once the client started it. */
export interface ScriptedSource {
  /** The `updateProcessor` option. */
  readonly factory: DataSourceFactory;
  /** Resolves when the client started the source. */
  readonly started: Promise<void>;
  /** Stores `flags` (LaunchDarkly JSON by key) as the first full data set and reports success. */
  deliver(flags?: Record<string, unknown>): Promise<void>;
  /** Reports a data source state, with an error when given. */
  status(state: DataSourceState, error?: Omit<DataSourceErrorInfo, 'time'>): void;
  /** Reports a permanent failure (as a 401 would). */
  fail(error: Error): void;
  /** True once the client closed the source. */
  readonly closed: boolean;
}

/**
 * A data source the test drives: it does nothing until told, so a client using it stays uninitialized
 * until {@link ScriptedSource.deliver}.
 */
export function scriptedSource(): ScriptedSource {
  let updates: Parameters<DataSourceFactory>[1] | undefined;
  let initSuccess: (() => void) | undefined;
  let errorHandler: ((error: Error) => void) | undefined;
  let markStarted: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  let closed = false;
  const need = () => {
    if (!updates || !initSuccess || !errorHandler) throw new Error('the client has not started the scripted data source');
    return { updates, initSuccess, errorHandler };
  };
  return {
    factory: (_context, u, ok, fail) => {
      updates = u;
      initSuccess = ok;
      errorHandler = fail;
      return {
        start: () => markStarted(),
        close: () => {
          closed = true;
        },
      };
    },
    started,
    async deliver(flags = {}) {
      const s = need();
      await s.updates.init({ features: flags, segments: {} });
      s.updates.updateStatus('VALID');
      s.initSuccess();
    },
    status(state, error) {
      need().updates.updateStatus(state, error);
    },
    fail(error) {
      const s = need();
      s.updates.updateStatus('OFF', { kind: 'ERROR_RESPONSE', statusCode: 401, message: error.message });
      s.errorHandler(error);
    },
    get closed() {
      return closed;
    },
  };
}

/** Every event the provider emitted, in order, as `[event, details]`. */
export function recordEvents(provider: SwitchyardProvider): { readonly events: [ProviderEvents, EventDetails | undefined][]; names(): ProviderEvents[] } {
  const events: [ProviderEvents, EventDetails | undefined][] = [];
  for (const event of Object.values(ProviderEvents)) {
    provider.events.addHandler(event, (details) => {
      events.push([event, details]);
    });
  }
  return { events, names: () => events.map(([e]) => e) };
}

/** Resolves when `predicate` holds, checking every 5 ms; rejects after `timeoutMs` with `what`. */
export async function until(predicate: () => boolean, what: string, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** LaunchDarkly flag JSON: on, serving `variations[fallthrough]`, off serving `offVariation`. */
export function flagJson(key: string, variations: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { key, version: 1, on: true, variations, fallthrough: { variation: 0 }, offVariation: variations.length > 1 ? 1 : 0, salt: key, ...extra };
}
