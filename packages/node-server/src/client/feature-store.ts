import {
  ConfigError,
  InMemoryDataStore,
  PersistentStoreWrapper,
  type DataStore,
  type LDLogger,
  type PersistentDataStore,
} from '@switchyard/core';

import type { ClientContext } from '../options.js';
import { PREFIX, messageOf } from './messages.js';

const DATA_STORE_METHODS = ['getSync', 'get', 'allSync', 'all', 'init', 'upsert', 'initialized', 'onRefreshNeeded', 'close'] as const;
const PERSISTENT_STORE_METHODS = ['init', 'get', 'getAll', 'upsert', 'isInitialized', 'isStoreAvailable', 'close'] as const;

function missing(value: Record<string, unknown>, methods: readonly string[]): string[] {
  return methods.filter((m) => typeof value[m] !== 'function');
}

/**
 * Which store contract `value` implements: core's `DataStore` (used as is), `PersistentDataStore`
 * (wrapped), or neither, with a message naming what is missing. `what` starts the message.
 */
function storeShape(value: unknown, what: string): { kind: 'data' | 'persistent' } | { kind: 'invalid'; problem: string } {
  if (typeof value !== 'object' || value === null) {
    return { kind: 'invalid', problem: `${what} ${value === null ? 'null' : typeof value}, not a data store` };
  }
  const record = value as Record<string, unknown>;
  if (typeof record.then === 'function') {
    return { kind: 'invalid', problem: `${what} a Promise; pass the store itself (a factory must return it synchronously)` };
  }
  const asData = missing(record, DATA_STORE_METHODS);
  const status = record.status as Record<string, unknown> | undefined;
  if (asData.length === 0 && typeof status?.getStatus === 'function' && typeof status.on === 'function') return { kind: 'data' };
  const asPersistent = missing(record, PERSISTENT_STORE_METHODS);
  if (asPersistent.length === 0) return { kind: 'persistent' };
  if (typeof record.getDescription === 'function' && typeof record.delete === 'function') {
    return {
      kind: 'invalid',
      problem: `${what} a LaunchDarkly LDFeatureStore (callback API), which Switchyard does not accept; use a Switchyard store package (@switchyard/store-redis, -dynamodb, -consul) or implement PersistentDataStore`,
    };
  }
  // Name what is missing for the contract the object comes closest to.
  const [contract, absent] =
    typeof record.getSync === 'function' || asData.length < asPersistent.length
      ? (['a DataStore', asData.length > 0 ? asData : ['status (a DataStoreStatusProvider)']] as const)
      : (['a PersistentDataStore', asPersistent] as const);
  return { kind: 'invalid', problem: `${what} not ${contract}: missing ${absent.join(', ')}` };
}

/** The store the client reads, and the configuration error that stops it from initializing, if any. */
export interface ResolvedStore {
  readonly store: DataStore;
  readonly error: ConfigError | undefined;
}

function configError(problem: string, cause?: unknown): ResolvedStore {
  const error = new ConfigError(`${PREFIX} ${problem}. The client will not initialize: fix the featureStore option.`, { cause });
  return { store: new InMemoryDataStore(), error };
}

/**
 * The store for the `featureStore` option. One that cannot be used (a factory that throws or returns
 * something else, an object of the wrong shape) is a configuration error: the client fails
 * initialization with a {@link ConfigError} saying what was wrong, rather than run without the
 * persistence the application asked for. It then holds an empty in-memory store, so evaluations
 * return defaults (`CLIENT_NOT_READY`) instead of throwing.
 */
export function resolveFeatureStore(option: unknown, isClusterWorker: boolean, context: ClientContext, logger: LDLogger): ResolvedStore {
  if (option === undefined || option === null) return { store: new InMemoryDataStore(), error: undefined };
  if (isClusterWorker) {
    // The same options usually configure the primary and the workers: the store is the primary's. A
    // factory (what the store packages give) is never called here; a store instance created for this
    // worker is closed at once, so it holds no connections.
    logger.info(`${PREFIX} cluster worker: featureStore is used by the primary only; this worker evaluates on the primary's replica in memory`);
    const unused = option as { close?: () => unknown };
    if (typeof option === 'object' && typeof unused.close === 'function') {
      void Promise.resolve()
        .then(() => unused.close!())
        .catch((err: unknown) => logger.warn(`${PREFIX} closing the unused featureStore failed: ${messageOf(err)}`));
    }
    return { store: new InMemoryDataStore(), error: undefined };
  }
  let store: unknown;
  try {
    store = typeof option === 'function' ? (option as (c: ClientContext) => unknown)(context) : option;
  } catch (err) {
    return configError(`the featureStore factory threw: ${messageOf(err)}`, err);
  }
  const shape = storeShape(store, typeof option === 'function' ? 'the featureStore factory returned' : 'featureStore is');
  if (shape.kind === 'invalid') return configError(shape.problem);
  if (shape.kind === 'data') return { store: store as DataStore, error: undefined };
  return { store: new PersistentStoreWrapper(store as PersistentDataStore, { logger }), error: undefined };
}
