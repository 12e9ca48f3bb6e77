import {
  DataKinds,
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
}

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
 * which flags changed (only when someone listens) and reports data source status. Store failures are
 * reported as `INTERRUPTED`/`STORE_ERROR` and resolve `false`; nothing here throws or rejects.
 *
 * Accepts parsed items (core's model) and raw LaunchDarkly JSON (parsed here), with a promise or with
 * LaunchDarkly's callback style (`init(data, callback)`, `upsert(kind, item, callback)`), so custom data
 * sources written for LaunchDarkly's SDK work unchanged.
 */
export class DataSourceUpdates {
  private readonly tracker = new DependencyTracker();
  private queue: Promise<unknown> = Promise.resolve();
  private storeErrorReported = false;

  constructor(
    readonly store: DataStore,
    readonly status: DataSourceStatusManager,
    private readonly listener: UpdateListener,
    private readonly logger: LDLogger,
  ) {}

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

  /** Reports the data source's state (see {@link DataSourceStatusManager.update}). */
  updateStatus(state: DataSourceState, error?: Omit<DataSourceErrorInfo, 'time'>): void {
    this.status.update(state, error);
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
    } catch (err) {
      this.storeFailed(err);
      return false;
    }
    this.storeErrorReported = false;
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
    } catch (err) {
      this.storeFailed(err);
      return false;
    }
    this.storeErrorReported = false;
    if (!applied) return false;
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
    if (!this.storeErrorReported) {
      this.logger.warn(`[switchyard/node-server] the data store could not be updated: ${message}`);
      this.storeErrorReported = true;
    }
    this.status.update('INTERRUPTED', { kind: 'STORE_ERROR', message });
  }
}

function withKey(item: unknown, key: string): unknown {
  if (typeof item === 'object' && item !== null && !Array.isArray(item) && (item as { key?: unknown }).key === undefined) {
    return { ...item, key };
  }
  return item;
}
