/**
 * `@switchyard/core`: the platform-neutral heart of Switchyard. No Node.js APIs are used here (the
 * package type-checks without `@types/node`), so it runs anywhere JavaScript does.
 *
 * @packageDocumentation
 */

// --- errors and logging ---------------------------------------------------------------------
export * from './errors/index.js';
export * from './logging/index.js';

// --- data stores ----------------------------------------------------------------------------
export { DataKinds, type DataKind, type VersionedItem } from './store/data-kinds.js';
export { InMemoryDataStore, type FullDataSet } from './store/in-memory-store.js';

// --- evaluation -----------------------------------------------------------------------------
export { evaluateMinimal, type MinimalFlag, type MinimalDetail, type MinimalReason } from './evaluation/evaluate.js';
