import { StoreError, type StoreOperation } from '@switchyard/core';

/** The store's name in messages and `StoreError.store`. */
export const STORE = 'redis';
/** Greppable prefix of every message of this package. */
export const PREFIX = '[switchyard/store-redis]';

/**
 * Wraps anything a Redis call threw in a `StoreError` naming the operation. ioredis messages name the
 * command and never the password, so they are kept as they are.
 */
export function storeError(operation: StoreOperation, error: unknown): StoreError {
  if (StoreError.isInstance(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new StoreError(STORE, operation, message, { cause: error });
}
