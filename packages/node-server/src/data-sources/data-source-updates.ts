import {
  DataKinds,
  StoreError,
  type DataKind,
  type DataStore,
  type FullDataSet,
  type LDLogger,
  type Unsubscribe,
  type VersionedItem,
} from '@switchyard/core';

import { DependencyTracker, affectedFlagKeys } from './dependency-tracker.js';
import type { DataSourceErrorInfo, DataSourceState, DataSourceStatusManager } from './status.js';

/** What the client wants to hear from data-source writes. */
export interface UpdateListener {
  /** True when someone listens for `update`/`update:<key>` (change computation is skipped otherwise). */
  hasListeners(): boolean;
  /** A flag's effective configuration changed (the flag itself, a prerequisite or a segment it uses). */
  onChange(flagKey: string): void;
  /** A non-fatal problem worth an `error` event (malformed data). */
  onError(error: Error): void;
  /**
   * A write now served (stored, or applied to the cache during a store outage), in the order written: a
   * cluster primary replicates it to its workers.
   */
  onApplied?(change: AppliedChange): void;
}

/** A write {@link DataSourceUpdates} applied: a full data set (parsed, by namespace) or one item. */
export type AppliedChange =
  | { readonly type: 'init'; readonly data: Readonly<Record<string, Readonly<Record<string, VersionedItem>>>> }
  | { readonly type: 'upsert'; readonly kind: DataKind; readonly item: VersionedItem };

/** A kind as data sources may name it: core's `DataKinds.*`, or any object with a known `namespace`. */
export type KindLike = DataKind | { readonly namespace: string };

function isParsed(item: unknown): item is VersionedItem {
  return typeof item === 'object' && item !== null && Object.isFrozen(item) && 'json' in item;
}

/** The core kind for a namespace (`features`/`segments`), or undefined for anything else. */
export function kindOf(kind: KindLike): DataKind | undefined {
  return kind.namespace === 'features' ? DataKinds.features : kind.namespace === 'segments' ? DataKinds.segments : undefined;
}

const KINDS: readonly DataKind[] = [DataKinds.segments, DataKinds.features];

/**
 * Where every data source writes (LaunchDarkly's `DataSourceUpdates`): applies full data sets and single
 * items to the store in the order they were given, keeps the flag/segment dependency graph, computes
 * which flags changed (only when someone listens) and reports data source status. Nothing here throws
 * or rejects.
 *
 * **Status is the data source's report combined with the store's health.** A write the store rejects
 * reports `INTERRUPTED`/`STORE_ERROR`, and the state stays `INTERRUPTED` (a data source reporting
 * `VALID` meanwhile does not override it) until a write reaches the store again or the store reports
 * that it recovered with nothing to refresh (an infinite cache written back). So a data source only
 * reports its connection; it never has to know about the store.
 *
 * **A write counts when the SDK serves it.** A write the store failed resolves `false` and changes
 * nothing (no dependency update, no `update` event), except when the caching wrapper applied it to its
 * cache anyway (an infinite cache during an outage, `StoreError.appliedToCache`): then it is served, so
 * it updates the dependency graph and fires `update` events exactly like a stored write, and resolves
 * `true`, while the status still reports the store error.
 *
 * Accepts parsed items (core's model) and raw LaunchDarkly JSON (parsed here), with a promise or with
 * LaunchDarkly's callback style (`init(data, callback)`, `upsert(kind, item, callback)`), so custom data
 * sources written for LaunchDarkly's SDK work unchanged.
 */
export class DataSourceUpdates {
  private readonly tracker = new DependencyTracker();
  private queue: Promise<unknown> = Promise.resolve();
  /** The last state the data source reported (its connection), before the store's health is applied. */
  private sourceState: DataSourceState = 'INITIALIZING';
  /** Whether the data source ever reported a status (TestData and many custom sources never do). */
  private sourceReports = false;
  /** Set from a failed store write until a write reaches the store again. */
  private storeFailure: { readonly kind: 'STORE_ERROR'; readonly message: string } | undefined;

  constructor(
    readonly store: DataStore,
    readonly status: DataSourceStatusManager,
    private readonly listener: UpdateListener,
    private readonly logger: LDLogger,
  ) {
    // An infinite cache written back after an outage is a successful write of everything we hold; a
    // recovery that needs a refresh is not (the refresh's write will be).
    store.status.on('change', (s) => {
      if (s.available && !s.refreshNeeded) this.storeSucceeded();
    });
  }

  /**
   * Replaces all data. Kinds missing from `data` become empty; unknown kinds are ignored. Resolves true
   * when the store took it.
   */
  init(data: FullDataSet | Record<string, Record<string, unknown>>, callback?: () => void): Promise<boolean> {
    const result = this.enqueue(() => this.doInit(data));
    if (callback) void result.then(() => callback());
    return result;
  }

  /** Stores one item (or tombstone) if newer than what is stored. Resolves true when it was applied. */
  upsert(kind: KindLike, item: unknown, callback?: () => void): Promise<boolean> {
    const result = this.enqueue(() => this.doUpsert(kind, item));
    if (callback) void result.then(() => callback());
    return result;
  }

  /**
   * Reports the data source's state (see {@link DataSourceStatusManager.update}). `VALID` while the
   * store is failing is reported as `INTERRUPTED` (the data is current in memory but not in the store).
   */
  updateStatus(state: DataSourceState, error?: Omit<DataSourceErrorInfo, 'time'>): void {
    this.sourceState = state;
    this.sourceReports = true;
    if (state === 'VALID' && this.storeFailure) {
      // The source delivered data (that is what VALID means), so this is an interruption even before
      // the first VALID: the data is served, the store is behind.
      this.status.update('INTERRUPTED', error, { afterData: true });
      return;
    }
    this.status.update(state, error);
  }

  /**
   * The data source called `initSuccess`: its first full data set is stored. A source that reports no
   * status of its own (TestData, LaunchDarkly-style custom sources) is then `VALID`; one that does
   * (streaming, polling, files) has said what its connection is, and that stands.
   */
  sourceInitialized(): void {
    if (!this.sourceReports) this.updateStatus('VALID');
  }

  /** Reports a non-fatal error to the application (`error` event, or a log line when nobody listens). */
  reportError(error: Error): void {
    this.listener.onError(error);
  }

  /** Registers the data source's handler for "the store lost data, send everything again". */
  onRefreshNeeded(handler: () => void): Unsubscribe {
    return this.store.onRefreshNeeded(handler);
  }

  /** Resolves after every write given so far has been applied (or failed). */
  settled(): Promise<void> {
    return this.queue.then(
      () => undefined,
      () => undefined,
    );
  }

  private enqueue(op: () => Promise<boolean>): Promise<boolean> {
    // One write at a time, in call order: a patch must never overtake the put before it, even when
    // change detection has to read the old data first.
    const next = this.queue.then(op, op);
    this.queue = next;
    return next;
  }

  private normalize(data: FullDataSet | Record<string, Record<string, unknown>>): Record<string, Record<string, VersionedItem>> {
    const out: Record<string, Record<string, VersionedItem>> = {};
    for (const kind of KINDS) {
      const items = (data as Record<string, Record<string, unknown> | undefined>)[kind.namespace] ?? {};
      const parsed: Record<string, VersionedItem> = {};
      for (const [key, item] of Object.entries(items)) {
        parsed[key] = isParsed(item) ? item : kind.fromJSON(withKey(item, key));
      }
      out[kind.namespace] = parsed;
    }
    return out;
  }

  private async doInit(data: FullDataSet | Record<string, Record<string, unknown>>): Promise<boolean> {
    let parsed: Record<string, Record<string, VersionedItem>>;
    try {
      parsed = this.normalize(data);
    } catch (err) {
      this.invalidData(err);
      return false;
    }
    const checkChanges = this.listener.hasListeners();
    const old = checkChanges ? await this.readAll() : undefined;
    try {
      await this.store.init(parsed);
      this.storeSucceeded();
    } catch (err) {
      this.storeFailed(err);
      if (!appliedToCache(err)) return false;
    }
    this.listener.onApplied?.({ type: 'init', data: parsed });
    this.tracker.reset();
    for (const [namespace, items] of Object.entries(parsed)) {
      for (const [key, item] of Object.entries(items)) this.tracker.update(namespace, key, item);
    }
    if (checkChanges) {
      const affected = new Set<string>();
      for (const [namespace, items] of Object.entries(parsed)) {
        const before = old?.[namespace];
        const keys = new Set([...Object.keys(items), ...Object.keys(before ?? {})]);
        for (const key of keys) {
          const a = before?.[key];
          const b = items[key];
          // Unchanged means present in both with the new version not higher: equal data re-sent by a
          // reconnect, or a 304 poll, is not a change.
          if (old && a && b && b.version <= a.version) continue;
          this.tracker.addAffected(namespace, key, affected);
        }
      }
      this.emitChanges(affected);
    }
    return true;
  }

  private async doUpsert(kindLike: KindLike, raw: unknown): Promise<boolean> {
    const kind = kindOf(kindLike);
    if (!kind) return false;
    let item: VersionedItem;
    try {
      item = isParsed(raw) ? raw : kind.fromJSON(raw);
    } catch (err) {
      this.invalidData(err);
      return false;
    }
    let applied: boolean;
    try {
      applied = await this.store.upsert(kind, item);
      this.storeSucceeded();
    } catch (err) {
      this.storeFailed(err);
      applied = appliedToCache(err);
    }
    if (!applied) return false;
    this.listener.onApplied?.({ type: 'upsert', kind, item });
    this.tracker.update(kind.namespace, item.key, item);
    if (this.listener.hasListeners()) {
      const affected = new Set<string>();
      this.tracker.addAffected(kind.namespace, item.key, affected);
      this.emitChanges(affected);
    }
    return true;
  }

  private async readAll(): Promise<Record<string, Readonly<Record<string, VersionedItem>>> | undefined> {
    try {
      const out: Record<string, Readonly<Record<string, VersionedItem>>> = {};
      for (const kind of KINDS) out[kind.namespace] = this.store.allSync(kind) ?? (await this.store.all(kind));
      return out;
    } catch {
      // Old data unreadable (store down): report every flag of the new data as changed.
      return undefined;
    }
  }

  private emitChanges(affected: Set<string>): void {
    const keys = affectedFlagKeys(affected);
    if (keys.length === 0) return;
    // As LaunchDarkly's SDK: listeners run after the write completed, outside the writer's call stack.
    queueMicrotask(() => {
      for (const key of keys) this.listener.onChange(key);
    });
  }

  private invalidData(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    this.logger.error(`[switchyard/node-server] received invalid flag data: ${message}`);
    this.status.update('INTERRUPTED', { kind: 'INVALID_DATA', message });
  }

  private storeFailed(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    if (!this.storeFailure) this.logger.warn(`[switchyard/node-server] the data store could not be updated: ${message}`);
    this.storeFailure = { kind: 'STORE_ERROR', message };
    this.status.update('INTERRUPTED', this.storeFailure);
  }

  /** A write reached the store: the store part of the status is healthy again. */
  private storeSucceeded(): void {
    if (!this.storeFailure) return;
    this.storeFailure = undefined;
    this.logger.info('[switchyard/node-server] the data store is being updated again');
    if (this.sourceState === 'VALID') this.status.update('VALID');
  }
}

/** True for a write the store failed but the caching wrapper applied to its cache (see `StoreError.appliedToCache`). */
function appliedToCache(err: unknown): boolean {
  return StoreError.isInstance(err) && err.appliedToCache === true;
}

function withKey(item: unknown, key: string): unknown {
  if (typeof item === 'object' && item !== null && !Array.isArray(item) && (item as { key?: unknown }).key === undefined) {
    return { ...item, key };
  }
  return item;
}
