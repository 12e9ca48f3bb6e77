export {
  DataKinds,
  defaultDependencyKeys,
  itemDependencies,
  type ItemDependency,
  type DataKind,
  type VersionedItem,
} from './data-kinds.js';
export type {
  DataStore,
  DataStoreMetrics,
  DataStoreOperationInfo,
  DataStoreStatus,
  DataStoreStatusProvider,
  FullDataSet,
  Unsubscribe,
} from './data-store.js';
export { InMemoryDataStore } from './in-memory-store.js';
export {
  DEFAULT_MAX_ITEM_BYTES,
  type KeyedSerializedItem,
  type PersistentDataStore,
  type PersistentStoreKind,
  type SerializedCollection,
  type SerializedItem,
  type UpsertResult,
} from './persistent-data-store.js';
export { PersistentStoreWrapper, type CacheMode, type PersistentStoreWrapperOptions } from './persistent-store-wrapper.js';
export { ItemTooLargeError, createItemGuard, defaultItemByteLength, type ItemGuard } from './item-guard.js';
export { versionInJson, jitteredBackoffMs, storeDelay } from './store-helpers.js';
export { storeOptionChecks, describeOptionValue, type StoreOptionChecks } from './option-checks.js';
export { sortDataSet, type SortedCollection } from './sort.js';
export { ListenerSet } from './listeners.js';
export {
  BigSegmentStoreWrapper,
  type BigSegmentStoreMembership,
  type BigSegmentMembershipResult,
  type BigSegmentMembershipStatus,
  type BigSegmentStore,
  type BigSegmentStoreMetadata,
  type BigSegmentStoreStatus,
  type BigSegmentStoreStatusProvider,
  type BigSegmentStoreWrapperOptions,
} from './big-segments.js';
