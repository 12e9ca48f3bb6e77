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
// Contracts (DataStore, PersistentDataStore, BigSegmentStore), the in-memory store, the caching
// PersistentStoreWrapper, the item guard and the big-segment wrapper. See store/index.ts.
export * from './store/index.js';

// --- values, contexts and the flag model ----------------------------------------------------
export * from './value/index.js';
export * from './context/index.js';
export * from './model/index.js';

// --- evaluation -----------------------------------------------------------------------------
export * from './evaluation/index.js';

// --- events -------------------------------------------------------------------------------
export * from './events/index.js';

// --- crypto (platform-neutral hashes used by bucketing, big segments and secure mode) --------
export { sha1Hex, sha256Base64, hmacSha256, toHex } from './crypto/index.js';
