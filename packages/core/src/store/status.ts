import type { LDLogger } from '../logging/index.js';
import type { DataStoreMetrics, DataStoreOperationInfo, DataStoreStatus, DataStoreStatusProvider, Unsubscribe } from './data-store.js';
import { ListenerSet } from './listeners.js';

type MutableMetrics = { -readonly [K in keyof DataStoreMetrics]: DataStoreMetrics[K] };

/**
 * Holds a store's status and metrics, and tells listeners about changes (deduplicated: a status equal to
 * the current one is not an event). Internal: stores hand out the {@link DataStoreStatusProvider} view.
 */
export class StatusTracker implements DataStoreStatusProvider {
  private status: DataStoreStatus = Object.freeze({ available: true, refreshNeeded: false });
  private readonly listeners: ListenerSet<DataStoreStatus>;
  /** Mutable on purpose: the owning store increments the counters. */
  readonly metrics: MutableMetrics = { oversizedItemsDropped: 0, storeErrors: 0, outages: 0, storeOperations: 0, cacheHits: 0, cacheMisses: 0 };
  private readonly operationListeners: ListenerSet<DataStoreOperationInfo>;

  constructor(
    private readonly monitoringEnabled: boolean,
    logger: LDLogger,
  ) {
    this.listeners = new ListenerSet((err) => logger.error(`[switchyard/core] A data store status listener threw: ${String(err)}`));
    this.operationListeners = new ListenerSet((err) => logger.error(`[switchyard/core] A data store operation listener threw: ${String(err)}`));
  }

  onOperation(listener: (operation: DataStoreOperationInfo) => void): Unsubscribe {
    return this.operationListeners.add(listener);
  }

  /** Counts a call to the store and tells the operation listeners (the owning store calls it). */
  recordOperation(operation: DataStoreOperationInfo): void {
    this.metrics.storeOperations++;
    if (this.operationListeners.size > 0) this.operationListeners.emit(operation);
  }

  getStatus(): DataStoreStatus {
    return this.status;
  }

  isStatusMonitoringEnabled(): boolean {
    return this.monitoringEnabled;
  }

  getMetrics(): DataStoreMetrics {
    return { ...this.metrics };
  }

  on(_event: 'change', listener: (status: DataStoreStatus) => void): Unsubscribe {
    return this.listeners.add(listener);
  }

  off(_event: 'change', listener: (status: DataStoreStatus) => void): void {
    this.listeners.delete(listener);
  }

  /** Sets the status; returns true (and notifies listeners) when it changed. */
  update(available: boolean, refreshNeeded: boolean): boolean {
    if (this.status.available === available && this.status.refreshNeeded === refreshNeeded) return false;
    if (this.status.available && !available) this.metrics.outages++;
    this.status = Object.freeze({ available, refreshNeeded });
    this.listeners.emit(this.status);
    return true;
  }

  /** Drops every listener (the store was closed). */
  clear(): void {
    this.listeners.clear();
    this.operationListeners.clear();
  }
}
